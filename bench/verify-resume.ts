/**
 * `node --import tsx bench/verify-resume.ts [--members N] [--signers N]`: full against resumed
 * verification (`undersigned verify` against `undersigned verify --state`, docs/bundle-format.md §10)
 * through the CLI's own code path (verifyParsed: proofs over the worker pool, the roster tree on
 * every core), in this process, same run.
 *
 * The bundle is a demo letter (src/cli/demo.ts: real identities, real proofs), made once and kept
 * in bench/.cache/verify-resume/. Its entries are put in a log that then grows (signed with a bench
 * key, as test/verify-resume.test.ts does), so that the later bundle carries a real consistency
 * proof from the earlier checkpoint. Three runs on the later bundle, each repeated:
 *   full         no state;
 *   resumed-all  the state a full run of the earlier bundle saved (every record seen before: a
 *                closed letter's records are fixed by its close, so this is the case `verify
 *                --state` meets in practice: the same letter again, after the log grew);
 *   resumed-90   the same state with a tenth of the records left out of `seen` (as if they were new).
 *
 * Writes bench/results/verify-resume.{json,md}. Not a test.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Bundle, LoggedEntry } from '../src/core/bundle/bundle.ts';
import { type VerifyState, sealState } from '../src/core/bundle/resume.ts';
import { bytesToHex, sha256, utf8ToBytes } from '../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifierKey } from '../src/core/log/checkpoint.ts';
import { entryLeafHash } from '../src/core/log/entry.ts';
import { leafHash, MerkleTree } from '../src/core/log/merkle.ts';
import { runDemo } from '../src/cli/demo.ts';
import { verifyParsed } from '../src/cli/commands/verify.ts';
import { machineInfo } from './machine.ts';
import { summarize } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const argValue = (name: string, d: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const MEMBERS = argValue('--members', 20_000);
const SIGNERS = argValue('--signers', 60);
const REPEATS = argValue('--repeats', 3);
const say = (line: string) => process.stderr.write(`bench:verify-resume: ${line}\n`);

const cacheDir = join(here, '.cache', 'verify-resume');
const cached = join(cacheDir, `demo-${MEMBERS}-${SIGNERS}.json`);
mkdirSync(cacheDir, { recursive: true });
if (!existsSync(cached)) {
  say(`making the demo letter (${MEMBERS} members, ${SIGNERS} signers; real proofs, once)…`);
  const { bundle } = await runDemo({ members: MEMBERS, signers: SIGNERS, named: Math.floor(SIGNERS / 4), log: say });
  writeFileSync(cached, JSON.stringify(bundle));
}
const demo: Bundle = JSON.parse(readFileSync(cached, 'utf8'));

// The log: 1,000 other entries, the letter's, then 1,000 more; the earlier checkpoint just after its close.
const origin = demo.log.checkpoint.split('\n')[0];
const secretKey = sha256(utf8ToBytes('bench verify-resume log key'));
const key = verifierKey(origin, ed25519.getPublicKey(secretKey));
const entries: LoggedEntry[] = [demo.opened, ...demo.records, demo.closed];
const BEFORE = 1000;
const other = (i: number) => leafHash(utf8ToBytes(`other entry ${i}`));
const tree = new MerkleTree([...Array.from({ length: BEFORE }, (_, i) => other(i)), ...entries.map((e) => entryLeafHash(e.entry)), ...Array.from({ length: 1000 }, (_, i) => other(BEFORE + i))]);
const earlierSize = BEFORE + entries.length;
function bundleAt(size: number, from?: number): Bundle {
  const b: Bundle = JSON.parse(JSON.stringify(demo));
  [b.opened, ...b.records, b.closed].forEach((e, i) => {
    e.index = BEFORE + i;
    e.proof = tree.inclusionProof(BEFORE + i, size).map(bytesToHex);
  });
  b.log = { verifierKey: key, checkpoint: signNote(formatCheckpoint({ origin, size, rootHash: tree.root(size) }), { name: origin, secretKey }) };
  if (from !== undefined) b.log.consistency = { from, proof: tree.consistencyProof(from, size).map(bytesToHex) };
  return b;
}

const earlier = bundleAt(earlierSize);
const later = bundleAt(tree.size, earlierSize);
const first = await verifyParsed(earlier, { state: null });
if (first.kind !== 'letter' || !first.verdict.valid || !first.resume?.state) throw new Error('the earlier bundle does not verify');
const stateAll: VerifyState = first.resume.state;
const { digest: _, ...body } = structuredClone(stateAll);
const l = body.letters[demo.letterId];
l.seen = l.seen.filter((__, i) => i % 10 !== 0);
const state90 = sealState(body);

async function time(label: string, state: VerifyState | undefined): Promise<number[]> {
  const samples: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    const v = await verifyParsed(structuredClone(later), state === undefined ? {} : { state: structuredClone(state) });
    samples.push(performance.now() - t0);
    if (v.kind !== 'letter' || !v.verdict.valid) throw new Error(`${label}: not valid`);
    if (state !== undefined && v.resume?.note.mode !== 'resumed') throw new Error(`${label}: did not resume (${v.resume?.note.reason})`);
  }
  say(`${label}: ${samples.map((s) => s.toFixed(0)).join(', ')} ms`);
  return samples;
}

const full = await time('full', undefined);
const resumedAll = await time('resumed-all', stateAll);
const resumed90 = await time('resumed-90', state90);
const result = {
  machine: machineInfo(),
  members: MEMBERS,
  records: demo.records.length,
  repeats: REPEATS,
  full: summarize(full),
  resumedAll: summarize(resumedAll),
  resumed90: { ...summarize(resumed90), newRecords: demo.records.length - l.seen.length },
};
writeFileSync(join(here, 'results', 'verify-resume.json'), `${JSON.stringify(result, null, 2)}\n`);
const row = (name: string, s: { median: number }) => `| ${name} | ${s.median.toFixed(0)} | ${(result.full.median / s.median).toFixed(1)}× |`;
writeFileSync(
  join(here, 'results', 'verify-resume.md'),
  [
    `# Full against resumed verification (bench/verify-resume.ts)`,
    '',
    `A demo letter: ${MEMBERS} members, ${demo.records.length} records; the later bundle's log grew by 1,000 entries since the saved checkpoint.`,
    `Median of ${REPEATS} runs, in this process, through the CLI's verifyParsed (proof pool, parallel roster tree). ${result.machine.cpu}, ${result.machine.cores} cores, load ${result.machine.load.start}.`,
    '',
    '| run | median ms | speed-up |',
    '| --- | --- | --- |',
    row('full (no state)', result.full),
    row('resumed, every record seen', result.resumedAll),
    row(`resumed, ${result.resumed90.newRecords} of ${demo.records.length} records new`, result.resumed90),
    '',
  ].join('\n'),
);
say('written to bench/results/verify-resume.{json,md}');
process.exit(0);
