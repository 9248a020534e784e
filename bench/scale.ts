/**
 * `npm run bench:scale`: a 100,000-member roster and server ingest, in one run.
 *
 *   import     `instance.addMembers` of 100,000 plausible names on a fresh SQLite file: wall time and
 *              the process's peak RSS (measured first, so the peak is the import's); then the bulk
 *              enrollment of all 100,000 (`enrollMany`), the first `roster()` (builds the Poseidon
 *              tree of 100,000 leaves), and `roster()` after one more enrollment (incremental);
 *   sign       latency of `proveAction` (what a member's device runs) for a 150-member group (depth
 *              8) and for the 100,000-member roster (depth 17): the first call apart (cold curve,
 *              circuit load), then the median of the next ones;
 *   tree       the Poseidon tree of 100,000 leaves (1% zero): the construction used before, the
 *              bottom-up build on one thread, and on every core (`--only tree` runs just this);
 *   ingest     the real server (`node bin/undersigned.mjs serve --port 0`, its port read from stdout)
 *              on loopback, with a 150-member roster: N distinct members' real signature records
 *              (made once and cached in bench/.cache, keyed by the letter id, which is deterministic)
 *              are POSTed all at once with fetch; accepted per second and p50/p99 latency, against
 *              the one-by-one verification rate (`verifySemaphoreProof`) measured in this process.
 *              `--only ingest` runs just this step (prints JSON, writes no result); `--records N`
 *              (≤ 149) POSTs N records instead of 48 (the missing ones are proven once and cached).
 *
 * Writes bench/results/scale.{json,md}. Not a test: nothing here passes or fails on time.
 */
import { startServe } from './serve.ts';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Group } from '@semaphore-protocol/group';
import { Identity } from '@semaphore-protocol/identity';
import { identityFromPrivateKey } from '../src/core/identity/identity.ts';
import { type Letter, letterId as computeLetterId } from '../src/core/letter/letter.ts';
import { plausibleNames } from '../src/cli/demo-names.ts';
import { type ProverContext, proveAction, proveProposal } from '../src/core/letter/prove.ts';
import type { SignatureRecord } from '../src/core/letter/record.ts';
import { type RosterRef, type RosterSnapshot, rosterRef } from '../src/core/roster/roster.ts';
import { SNARK_FIELD, type SemaphoreProof, verifySemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { groupOfLeaves } from '../src/core/roster/roster-tree.ts';
import { PoseidonTree, buildPoseidonModule } from '../src/node/poseidon-wasm.ts';
import { groupOfLeavesParallel, rootOfLeavesParallel } from '../src/node/roster-tree-pool.ts';
import { nodeArtifacts, nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { openOrInit } from '../src/server/open.ts';
import { loadNow, machineInfo } from './machine.ts';
import { type Summary, summarize } from './stats.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const cacheDir = join(here, '.cache');
const ROSTER = 100_000;
const SMALL = 150;
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
/** `--only ingest`: run the ingest step alone (a quick check of the server path). */
const only = argValue('--only');
/** `--records N`: ingest N records (at most SMALL - 1: one per member but the proposer). */
const INGEST = Number(argValue('--records') ?? 48);
const SIGN_ROUNDS = 3;
const say = (line: string) => process.stderr.write(`bench:scale: ${line}\n`);
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const peakRssMiB = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const machine = machineInfo();

function letterFor(ref: RosterRef, nonce: string): Letter {
  return {
    format: 'undersigned-letter/1',
    title: 'Benchmark letter',
    text: 'A letter for the scale benchmark.',
    recipient: 'Nobody',
    roster: ref,
    deadline: '2099-01-01T00:00:00Z',
    revealThreshold: 0,
    visibility: 'live',
    nonce,
  };
}

async function signLatency(label: string, ctx: ProverContext): Promise<{ label: string; depth: number; firstMs: number; samplesMs: number[]; median: Summary }> {
  let t0 = performance.now();
  await proveAction(ctx, { action: 'support', display: 'anonymous', seq: 1 });
  const firstMs = ms(t0);
  const samplesMs: number[] = [];
  for (let i = 0; i < SIGN_ROUNDS; i++) {
    t0 = performance.now();
    await proveAction(ctx, { action: 'support', display: 'anonymous', seq: i + 2 });
    samplesMs.push(ms(t0));
  }
  const depth = ctx.letter.roster.depth;
  say(`sign ${label} (depth ${depth}): first ${firstMs} ms, then ${samplesMs.join(', ')} ms`);
  return { label, depth, firstMs, samplesMs, median: summarize(samplesMs) };
}

// --- 1. import 100,000, enroll, roster ------------------------------------------------------------
async function rosterScale() {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-scale-'));
  try {
    const { instance } = await openOrInit({ dataDir: dir, name: 'Bench union', origin: 'bench.invalid/union' });
    const names = plausibleNames(ROSTER, new Uint8Array(randomBytes(32)));
    const rssBefore = mib(process.memoryUsage().rss);
    say(`importing ${ROSTER} members…`);
    let t0 = performance.now();
    const added = await instance.enrollment.addMembers(names.map((name) => ({ name })));
    const importMs = ms(t0);
    const importPeakRss = peakRssMiB();
    say(`import: ${importMs} ms, peak RSS ${importPeakRss} MiB`);
    const member = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
    const others = added.slice(0, ROSTER - 1).map((m) => ({ code: m.code, commitment: ((BigInt('0x' + randomBytes(32).toString('hex')) % (SNARK_FIELD - 1n)) + 1n).toString() }));
    t0 = performance.now();
    await instance.enrollment.enrollMany(others);
    const enrollMs = ms(t0);
    say(`bulk enrollment of ${others.length}: ${enrollMs} ms`);
    t0 = performance.now();
    await instance.roster.current();
    const rosterFirstMs = ms(t0);
    say(`first roster() (tree of ${others.length} leaves): ${rosterFirstMs} ms`);
    await instance.enrollment.enroll(added[ROSTER - 1].code, member.commitment.toString());
    t0 = performance.now();
    const { ref, group } = await instance.roster.current();
    const rosterIncrementalMs = ms(t0);
    t0 = performance.now();
    await instance.roster.current();
    const rosterCachedMs = ms(t0);
    t0 = performance.now();
    await instance.roster.page(50_000, 500);
    const rosterPageMs = ms(t0);
    say(`roster() after one enrollment: ${rosterIncrementalMs} ms; cached: ${rosterCachedMs} ms; a page: ${rosterPageMs} ms; depth ${ref.depth}`);
    const letter = letterFor(ref, randomBytes(16).toString('hex'));
    const sign = await signLatency(`${ROSTER} members`, { identity: member, group, letter, letterId: computeLetterId(letter), artifacts: nodeArtifacts });
    await instance.db.destroy();
    return {
      members: ROSTER,
      depth: ref.depth,
      rssBeforeMiB: rssBefore,
      importMs,
      importPeakRssMiB: importPeakRss,
      enrollManyMs: enrollMs,
      rosterFirstMs,
      rosterIncrementalMs,
      rosterCachedMs,
      rosterPageMs,
      peakRssAfterRosterMiB: peakRssMiB(),
      sign,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function smallSign() {
  const ids = Array.from({ length: SMALL }, (_, i) => new Identity(`undersigned-bench-small-${i}`));
  const snapshot: RosterSnapshot = { leafCount: SMALL, members: ids.map((m, i) => ({ id: i + 1, name: `Member ${i + 1}`, leaf: i, commitment: m.commitment.toString() })) };
  const r = rosterRef(snapshot);
  if (!r.ok) throw new Error(r.reason);
  const letter = letterFor(r.ref, '00'.repeat(16));
  return signLatency(`${SMALL} members`, { identity: ids[7], group: r.group, letter, letterId: computeLetterId(letter), artifacts: nodeArtifacts });
}

// --- 1b. the roster tree: the construction before (placeholders, then removeMember) and after ----
/**
 * The same 100,000 leaves, 1% of them 0 (removed members), built three ways: the construction
 * roster.ts used before (Group of placeholders, then `removeMember` per zero leaf: a path of 17
 * hashes and a copy of the whole leaf array each), the bottom-up build (src/core/roster/roster-tree.ts,
 * one thread), and the same on every core off the main thread (src/node/roster-tree-pool.ts,
 * what the server's first `roster()` runs). All three must give the same root.
 */
async function treeBuild() {
  const leaves = Array.from({ length: ROSTER }, (_, i) => (i % 100 === 42 ? 0n : ((BigInt('0x' + randomBytes(32).toString('hex')) % (SNARK_FIELD - 1n)) + 1n)));
  let t0 = performance.now();
  const before = new Group(leaves.map((l) => (l === 0n ? 1n : l)));
  leaves.forEach((l, i) => {
    if (l === 0n) before.removeMember(i);
  });
  const beforeMs = ms(t0);
  say(`tree, before (placeholders + removeMember): ${beforeMs} ms`);
  t0 = performance.now();
  const oneThread = groupOfLeaves(leaves);
  const oneThreadMs = ms(t0);
  say(`tree, bottom-up, one thread: ${oneThreadMs} ms`);
  t0 = performance.now();
  const parallel = await groupOfLeavesParallel(leaves);
  const parallelMs = ms(t0);
  say(`tree, bottom-up, every core (WebAssembly Poseidon, module built first): ${parallelMs} ms`);
  t0 = performance.now();
  const parallelRoot = await rootOfLeavesParallel(leaves);
  const parallelRootMs = ms(t0);
  say(`tree root only, every core (what verify runs; module already built): ${parallelRootMs} ms`);
  const wasm = new PoseidonTree(await buildPoseidonModule());
  t0 = performance.now();
  const wasmRoot = wasm.root(leaves);
  const wasmOneThreadMs = ms(t0);
  say(`tree root, WebAssembly Poseidon, one thread: ${wasmOneThreadMs} ms`);
  if (oneThread.root !== before.root || parallel.root !== before.root || parallelRoot !== before.root || wasmRoot !== before.root) throw new Error('the tree constructions disagree');
  return { leaves: ROSTER, zeroLeaves: leaves.filter((l) => l === 0n).length, beforeMs, oneThreadMs, parallelMs, wasmOneThreadMs, parallelRootMs };
}

// --- 2. server ingest -----------------------------------------------------------------------------
const startServer = (dataDir: string) => startServe(root, dataDir, { timeoutMs: 60_000, setupToken: true });

async function ingest() {
  const dataDir = mkdtempSync(join(tmpdir(), 'undersigned-bench-ingest-'));
  const { child, url, setupToken } = await startServer(dataDir);
  say(`server at ${url}`);
  try {
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(url + path, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const json = (await res.json()) as any;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const { adminToken } = await call('POST', '/api/setup', { token: setupToken });
    // Deterministic roster (names and identities), so the letter id and the cached records repeat.
    const ids = Array.from({ length: SMALL }, (_, i) => new Identity(`undersigned-bench-ingest-${i}`));
    const csv = ['name', ...ids.map((_, i) => `Member ${i + 1}`)].join('\n');
    const { members } = await call('POST', '/api/admin/members/import', { csv }, adminToken);
    for (let i = 0; i < SMALL; i++) await call('POST', '/api/enroll', { code: members[i].code, commitment: ids[i].commitment.toString() });
    const { snapshot, ref } = (await call('GET', '/api/roster')) as { snapshot: RosterSnapshot; ref: RosterRef };
    const computed = rosterRef(snapshot);
    if (!computed.ok) throw new Error(computed.reason);
    const letter = letterFor(ref, 'be'.repeat(16));
    const id = computeLetterId(letter);
    const ctx = (i: number): ProverContext => ({ identity: ids[i], group: computed.group, letter, letterId: id, artifacts: nodeArtifacts });
    const file = join(cacheDir, `ingest-${id.slice(0, 16)}-${INGEST}.json`);
    let cached: { proposal: SemaphoreProof; records: SignatureRecord[] };
    if (INGEST > SMALL - 1) throw new Error(`--records: at most ${SMALL - 1}`);
    if (existsSync(file)) cached = JSON.parse(readFileSync(file, 'utf8'));
    else {
      // Start from the largest cache of this letter with fewer records, prove the rest.
      const prefix = `ingest-${id.slice(0, 16)}-`;
      const smaller = existsSync(cacheDir)
        ? readdirSync(cacheDir).filter((f) => f.startsWith(prefix)).map((f) => Number(f.slice(prefix.length, -'.json'.length))).filter((n) => n < INGEST).sort((a, b) => b - a)
        : [];
      const base: { proposal?: SemaphoreProof; records: SignatureRecord[] } = smaller.length ? JSON.parse(readFileSync(join(cacheDir, `${prefix}${smaller[0]}.json`), 'utf8')) : { records: [] };
      say(`making ${INGEST - base.records.length} signature records (cached in bench/.cache)…`);
      const proposal = base.proposal ?? (await proveProposal(ctx(0)));
      const records = base.records;
      for (let i = records.length; i < INGEST; i++) {
        records.push(await proveAction(ctx(i + 1), { action: 'support', display: i % 8 === 0 ? 'named' : 'anonymous', seq: 1 }));
        if ((i + 1) % 8 === 0) say(`  ${i + 1}/${INGEST}`);
      }
      cached = { proposal, records };
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(join(cacheDir, '.gitignore'), '*\n');
      writeFileSync(file, JSON.stringify(cached) + '\n');
    }
    await call('POST', '/api/letters', { letter, proposal: cached.proposal });

    // The one-by-one rate, in this process, on the same proofs (after a warm-up pass).
    for (const r of cached.records.slice(0, 4)) await verifySemaphoreProof(r.proof, nodeVerificationKeys);
    let t0 = performance.now();
    for (const r of cached.records) if (!(await verifySemaphoreProof(r.proof, nodeVerificationKeys))) throw new Error('a cached record does not verify');
    const oneByOneMs = ms(t0);
    const oneByOnePerSec = Math.round((cached.records.length / oneByOneMs) * 1000 * 10) / 10;
    say(`one-by-one verification: ${oneByOnePerSec}/s`);

    // All records at once: each request's latency, and accepted per second over the whole burst.
    t0 = performance.now();
    const results = await Promise.all(
      cached.records.map(async (record) => {
        const s = performance.now();
        const res = await fetch(`${url}/api/letters/${id}/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ record }) });
        await res.text();
        return { status: res.status, ms: performance.now() - s };
      }),
    );
    const wallMs = ms(t0);
    const accepted = results.filter((r) => r.status === 201).length;
    const lat = results.map((r) => r.ms).sort((a, b) => a - b);
    const pct = (q: number) => Math.round(lat[Math.max(0, Math.ceil(q * lat.length) - 1)] * 10) / 10;
    const acceptedPerSec = Math.round((accepted / wallMs) * 1000 * 10) / 10;
    const status = await call('GET', `/api/letters/${id}`);
    if (accepted !== cached.records.length || status.count !== accepted) throw new Error(`accepted ${accepted} of ${cached.records.length}; count ${status.count}`);
    say(`ingest: ${accepted} accepted in ${wallMs} ms = ${acceptedPerSec}/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
    return { records: accepted, concurrency: cached.records.length, wallMs, acceptedPerSec, p50Ms: pct(0.5), p99Ms: pct(0.99), oneByOnePerSec, ratio: Math.round((acceptedPerSec / oneByOnePerSec) * 100) / 100 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (only === 'tree') {
  // Just the tree constructions: printed, and kept in results/tree.json (with the machine and commit).
  const line = JSON.stringify({ tree: await treeBuild(), machine, load: { start: machine.load.start, end: loadNow() } });
  writeFileSync(join(here, 'results/tree.json'), line + '\n');
  process.stdout.write(line + '\n');
  process.exit(0);
}
if (only === 'ingest') {
  // Just the ingest step: print its numbers, leave the committed results alone.
  const server = await ingest();
  await releaseSnarkjs();
  process.stdout.write(JSON.stringify({ ingest: server, load: { start: machine.load.start, end: loadNow() } }) + '\n');
  setTimeout(() => process.exit(0), 1000).unref();
  await new Promise(() => {});
}
const tree = await treeBuild();
const roster = await rosterScale();
const small = await smallSign();
const server = await ingest();
await releaseSnarkjs();
machine.load.end = loadNow();

const results = { machine, tree, roster, sign: { small, large: roster.sign }, ingest: server };
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results/scale.json'), JSON.stringify(results, null, 2) + '\n');
const s = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
const md = `# Scale benchmark (\`npm run bench:scale\`)

${machine.date} · ${machine.cpu} · ${machine.cores} cores · Node ${machine.node} · commit ${machine.git?.commit ?? '?'}${machine.git?.dirty ? ' (uncommitted changes in src/)' : ''} · load ${machine.load.start} → ${machine.load.end}

## Roster of ${roster.members.toLocaleString('en')} members (depth ${roster.depth})

| step | time |
|---|---|
| import (\`addMembers\`, one transaction, one checkpoint) | ${s(roster.importMs)} (peak RSS ${roster.importPeakRssMiB} MiB) |
| bulk enrollment of ${(roster.members - 1).toLocaleString('en')} (\`enrollMany\`) | ${s(roster.enrollManyMs)} |
| first \`roster()\`: Poseidon tree of ${roster.members.toLocaleString('en')} leaves, digest | ${s(roster.rosterFirstMs)} |
| \`roster()\` after one more enrollment (tree updated, not rebuilt) | ${s(roster.rosterIncrementalMs)} |
| \`roster()\` cached / one page of 500 | ${s(roster.rosterCachedMs)} / ${s(roster.rosterPageMs)} |

Peak RSS of the process after all of the above: ${roster.peakRssAfterRosterMiB} MiB.

## Roster tree of ${tree.leaves.toLocaleString('en')} leaves (${tree.zeroLeaves.toLocaleString('en')} of them 0: removed members)

| construction | time |
|---|---|
| before: Group of placeholders, then \`removeMember\` per zero leaf | ${s(tree.beforeMs)} |
| bottom-up, one hash per node, one thread (\`groupOfLeaves\`) | ${s(tree.oneThreadMs)} |
| bottom-up on every core, off the main thread, Poseidon in WebAssembly (\`groupOfLeavesParallel\`, the server's first \`roster()\`; the module is built first) | ${s(tree.parallelMs)} |
| root only, on every core (\`rootOfLeavesParallel\`, what \`verify\` runs) | ${tree.parallelRootMs === undefined ? '—' : s(tree.parallelRootMs)} |
| root only, one thread, Poseidon in WebAssembly (\`PoseidonTree\`) | ${tree.wasmOneThreadMs === undefined ? '—' : s(tree.wasmOneThreadMs)} |

## Sign latency (\`proveAction\`, one thread)

| group | depth | first call | median of ${SIGN_ROUNDS} | target |
|---|---|---|---|---|
| ${SMALL} members | ${small.depth} | ${s(small.firstMs)} | ${s(small.median.median)} | ≤ 1.5 s |
| ${roster.members.toLocaleString('en')} members | ${roster.sign.depth} | ${s(roster.sign.firstMs)} | ${s(roster.sign.median.median)} | — |

## Server ingest (loopback, real server process)

${server.records} real signature records from ${server.records} distinct members, POSTed at once.

| accepted/s | p50 | p99 | one-by-one verify/s (same run) | ratio | target |
|---|---|---|---|---|---|
| ${server.acceptedPerSec} | ${s(server.p50Ms)} | ${s(server.p99Ms)} | ${server.oneByOnePerSec} | ${server.ratio}× | ≥ 5× |
`;
writeFileSync(join(here, 'results/scale.md'), md);
process.stdout.write(md);
setTimeout(() => process.exit(0), 1000).unref();
