/**
 * Makes the 10,000 real signature records of the bundle benchmark (bench/bundle-10k.ts), one
 * Semaphore proof at depth 17 after the other, appended to bench/.cache/bundle-10k/records.jsonl.
 * Deterministic world (bench/bundle-fixture.ts), resumable: run it again and it carries on from
 * the last complete record. Meant to run for hours in the background, politely:
 *
 *   nice -n 19 node --import tsx bench/bundle-proofs.ts [--until N] >> bench/.cache/bundle-10k/gen.log 2>&1 &
 *
 * A proof costs ~1 s on 2 threads here (snarkjs prover; keeping the zkey and wasm in memory saves
 * little: the witness is ~30 ms of it, the rest is the prover's MSMs and FFTs).
 * Every 100th signer signs by name (an EdDSA-Poseidon signature the verifier checks too).
 */
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, ftruncateSync, closeSync, fstatSync, readSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { letterId as computeLetterId } from '../src/core/letter/letter.ts';
import { proveAction, proveProposal, type ProverContext } from '../src/core/letter/prove.ts';
import { rosterGroup } from '../src/core/roster/roster.ts';
import { nodeArtifacts, releaseSnarkjs } from '../src/node/artifacts.ts';
import { openOrInit } from '../src/server/open.ts';
import { type LetterFile, PROPOSER, SIGNERS, benchLetter, files, fixture, identityOf, readRecords } from './bundle-fixture.ts';

const say = (line: string) => process.stderr.write(`${new Date().toISOString()} bundle-proofs: ${line}\n`);
const untilArg = process.argv.indexOf('--until');
const until = untilArg > 0 ? Math.min(SIGNERS, Number(process.argv[untilArg + 1])) : SIGNERS;

const { names, commitments } = fixture(say);

/** The letter over the fixed roster, computed by a real instance (as the benchmark will). */
async function makeLetter(): Promise<LetterFile> {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bundle-fixture-'));
  try {
    const { instance } = await openOrInit({ dataDir: dir, name: 'Bench union', origin: 'bench.invalid/union' });
    say(`roster: importing and enrolling ${names.length} members in a scratch instance…`);
    const added = await instance.enrollment.addMembers(names.map((name) => ({ name })));
    await instance.enrollment.enrollMany(added.map((m, i) => ({ code: m.code, commitment: commitments[i] })));
    const { ref, group } = await instance.roster.current();
    const letter = benchLetter(ref);
    const letterId = computeLetterId(letter);
    const proposal = await proveProposal({ identity: identityOf(PROPOSER), group, letter, letterId, artifacts: nodeArtifacts });
    await instance.db.destroy();
    const file: LetterFile = { letter, letterId, proposal };
    writeFileSync(files.letter, JSON.stringify(file) + '\n');
    say(`letter ${letterId.slice(0, 16)}… over root ${ref.root.slice(0, 12)}…, digest ${ref.digest.slice(0, 12)}…`);
    return file;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Cut a torn last line (the generator was killed mid-write) so appends start on a fresh line. */
function dropTornLine(): void {
  if (!existsSync(files.records)) return;
  const fd = openSync(files.records, 'r+');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    const lastNewline = buf.lastIndexOf(0x0a);
    const keep = lastNewline < 0 ? (size > buf.length ? size : 0) : size - buf.length + lastNewline + 1;
    if (keep !== size) ftruncateSync(fd, keep);
  } finally {
    closeSync(fd);
  }
}

const letterFile: LetterFile = existsSync(files.letter) ? JSON.parse(readFileSync(files.letter, 'utf8')) : await makeLetter();
const { letter, letterId } = letterFile;
let t0 = performance.now();
const group = rosterGroup(commitments.map(BigInt));
if (group.root.toString() !== letter.roster.root) throw new Error('the fixture does not give the letter root: delete bench/.cache/bundle-10k and start again');
say(`tree of ${commitments.length} leaves rebuilt in ${Math.round(performance.now() - t0)} ms`);

dropTornLine();
const done = readRecords().length;
say(`${done} records exist; making ${Math.max(0, until - done)} more (to ${until})`);
t0 = performance.now();
for (let i = done; i < until; i++) {
  const ctx: ProverContext = { identity: identityOf(i), group, letter, letterId, artifacts: nodeArtifacts };
  const record = await proveAction(ctx, { action: 'support', display: i % 100 === 0 ? 'named' : 'anonymous', seq: 1 });
  appendFileSync(files.records, JSON.stringify(record) + '\n');
  const made = i + 1 - done;
  if (made % 50 === 0 || i + 1 === until) {
    const per = (performance.now() - t0) / made;
    say(`${i + 1}/${until} records; ${Math.round(per)} ms each; ~${Math.round(((until - i - 1) * per) / 60_000)} min to go`);
  }
}
await releaseSnarkjs();
say('done');
setTimeout(() => process.exit(0), 500).unref();
