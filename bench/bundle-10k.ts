/**
 * `node --import tsx bench/bundle-10k.ts [--records N]`: server ingest at scale and `undersigned verify` on a big bundle, on the
 * fixed world of bench/bundle-fixture.ts (100,000 members, depth 17) and the real signature
 * records bench/bundle-proofs.ts has made so far (up to 10,000; `--records N` takes fewer;
 * `--keep` leaves the bundle in bench/.cache/bundle-10k/bundle-N.json for profiling).
 *
 *   prepare   a data directory: 100,000 members imported and enrolled, the letter proposed (made
 *             once with the library and kept in bench/.cache/bundle-10k/template, then copied);
 *   ingest    the real server (`undersigned serve --port 0`) on a copy, its roster tree warmed by
 *             one GET; a load generator on loopback keeps 64 POSTs of records in flight:
 *             accepted per second, p50/p99 latency, against the one-by-one rate of
 *             verifySemaphoreProof on the same records in this process (same run);
 *   verify    the letter closed and its bundle exported (library), then the real CLI
 *             `undersigned verify bundle.json` in a child process under /usr/bin/time -v: wall
 *             time and peak RSS (targets: ≤ 15 s and < 1 GiB for 10,000 signatures).
 *
 * Writes bench/results/bundle.{json,md} and bench/results/scale.svg. Not a test.
 */
import { startServe } from './serve.ts';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { verifySemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { openInstance, openOrInit } from '../src/server/open.ts';
import { type LetterFile, files, fixture, fixtureDir, readRecords } from './bundle-fixture.ts';
import { loadNow, machineInfo } from './machine.ts';
import { writePlot } from './plot.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const say = (line: string) => process.stderr.write(`bench:bundle: ${line}\n`);
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const argValue = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const CONCURRENCY = Number(argValue('--concurrency') ?? 64);
const machine = machineInfo();
const templateDir = join(fixtureDir, 'template');

if (!existsSync(files.letter)) throw new Error('no letter yet: run bench/bundle-proofs.ts first (see its header)');
const letterFile: LetterFile = JSON.parse(readFileSync(files.letter, 'utf8'));
const { letter, letterId } = letterFile;
const allRecords = readRecords();
const wanted = Number(argValue('--records') ?? allRecords.length);
const records = allRecords.slice(0, wanted);
if (records.length === 0) throw new Error('no records yet: let bench/bundle-proofs.ts run');
say(`${records.length} records (of ${allRecords.length} made; the full benchmark wants 10,000)`);

async function prepareTemplate(): Promise<number> {
  if (existsSync(join(templateDir, 'ready'))) return JSON.parse(readFileSync(join(templateDir, 'ready'), 'utf8')).ms;
  rmSync(templateDir, { recursive: true, force: true });
  const { names, commitments } = fixture(say);
  const t0 = performance.now();
  const { instance } = await openOrInit({ dataDir: templateDir, name: 'Bench union', origin: 'bench.invalid/union' });
  say(`template: importing and enrolling ${names.length} members…`);
  const added = await instance.enrollment.addMembers(names.map((name) => ({ name })));
  await instance.enrollment.enrollMany(added.map((m, i) => ({ code: m.code, commitment: commitments[i] })));
  await instance.letters.propose(letter, letterFile.proposal);
  await instance.db.destroy();
  const took = ms(t0);
  writeFileSync(join(templateDir, 'ready'), JSON.stringify({ ms: took }) + '\n');
  say(`template ready in ${took} ms`);
  return took;
}

const startServer = (dataDir: string) => startServe(root, dataDir, { timeoutMs: 120_000, setupToken: false });

async function ingest(dataDir: string) {
  // One-by-one rate on the same records, in this process, after a warm-up.
  const sample = records.slice(0, Math.min(64, records.length));
  for (const r of sample.slice(0, 4)) await verifySemaphoreProof(r.proof, nodeVerificationKeys);
  let t0 = performance.now();
  for (const r of sample) if (!(await verifySemaphoreProof(r.proof, nodeVerificationKeys))) throw new Error('a cached record does not verify');
  const oneByOnePerSec = Math.round((sample.length / ms(t0)) * 1000 * 10) / 10;
  say(`one-by-one verification: ${oneByOnePerSec}/s`);
  await releaseSnarkjs();

  const { child, url } = await startServer(dataDir);
  try {
    t0 = performance.now();
    const warm = await fetch(`${url}/api/roster?limit=1`);
    if (warm.status !== 200) throw new Error(`GET /api/roster: ${warm.status}`);
    await warm.text();
    const warmMs = ms(t0);
    say(`server at ${url}; roster tree of 100,000 built in ${warmMs} ms (first request)`);
    const latencies: number[] = [];
    const refused: string[] = [];
    let next = 0;
    t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < records.length) {
          const record = records[next++];
          const s = performance.now();
          const res = await fetch(`${url}/api/letters/${letterId}/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ record }) });
          const body = await res.text();
          latencies.push(performance.now() - s);
          if (res.status !== 201) refused.push(`${res.status} ${body}`);
        }
      }),
    );
    const wallMs = ms(t0);
    if (refused.length) throw new Error(`${refused.length} records refused, e.g. ${refused[0]}`);
    latencies.sort((a, b) => a - b);
    const pct = (q: number) => Math.round(latencies[Math.max(0, Math.ceil(q * latencies.length) - 1)] * 10) / 10;
    const acceptedPerSec = Math.round((records.length / wallMs) * 1000 * 10) / 10;
    say(`ingest: ${records.length} accepted in ${wallMs} ms = ${acceptedPerSec}/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
    return { records: records.length, concurrency: CONCURRENCY, rosterWarmMs: warmMs, wallMs, acceptedPerSec, p50Ms: pct(0.5), p99Ms: pct(0.99), oneByOnePerSec, ratio: Math.round((acceptedPerSec / oneByOnePerSec) * 100) / 100 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function exportBundle(dataDir: string, out: string) {
  const instance = await openInstance({ dataDir });
  await instance.admin.load();
  const t0 = performance.now();
  await instance.letters.close(letterId);
  const bundle = await instance.bundles.letter(letterId);
  await instance.db.destroy();
  writeFileSync(out, JSON.stringify(bundle));
  say(`bundle of ${bundle.records.length} records exported in ${ms(t0)} ms (${(statSync(out).size / 2 ** 20).toFixed(1)} MiB)`);
  return bundle.records.length;
}

async function verifyCli(file: string) {
  const run = promisify(execFile);
  const { stdout, stderr } = await run('/usr/bin/time', ['-v', process.execPath, join(root, 'bin/undersigned.mjs'), 'verify', file], { cwd: root, maxBuffer: 64 * 2 ** 20 });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  if (!wall || !rss) throw new Error(`could not read /usr/bin/time's report:\n${stderr.slice(-2000)}`);
  const wallMs = Math.round((Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3])) * 1000);
  return { wallMs, peakRssMiB: Math.round((Number(rss[1]) / 1024) * 10) / 10, verdict: stdout.trim().split('\n').slice(-3).join(' | ') };
}

const templateMs = await prepareTemplate();
const dataDir = mkdtempSync(join(tmpdir(), 'undersigned-bench-bundle-'));
try {
  cpSync(templateDir, dataDir, { recursive: true });
  const server = await ingest(dataDir);
  const bundleFile = join(dataDir, 'bundle.json');
  const inBundle = await exportBundle(dataDir, bundleFile);
  say('undersigned verify…');
  const v = await verifyCli(bundleFile);
  if (process.argv.includes('--keep')) cpSync(bundleFile, join(fixtureDir, `bundle-${inBundle}.json`));
  say(`verify: ${v.wallMs} ms, peak RSS ${v.peakRssMiB} MiB: ${v.verdict}`);
  machine.load.end = loadNow();
  const results = { machine, templateMs, signatures: inBundle, full: inBundle >= 10_000, ingest: server, verify: { wallMs: v.wallMs, peakRssMiB: v.peakRssMiB, verdict: v.verdict } };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results/bundle.json'), JSON.stringify(results, null, 2) + '\n');
  const s = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
  const partial = inBundle < 10_000 ? `\n**Partial run: ${inBundle.toLocaleString('en')} signatures, not 10,000** (the proof generator had made that many; see bench/README.md). The targets are for 10,000.\n` : '';
  const md = `# Bundle benchmark (\`node --import tsx bench/bundle-10k.ts\`)

${machine.date} · ${machine.cpu} · ${machine.cores} cores · Node ${machine.node} · commit ${machine.git?.commit ?? '?'}${machine.git?.dirty ? ' (uncommitted changes in src/)' : ''} · load ${machine.load.start} → ${machine.load.end}
${partial}
Roster of 100,000 members (depth 17); ${inBundle.toLocaleString('en')} real signature records (1 in 100 named).

## \`undersigned verify\` on the bundle (child process, /usr/bin/time -v)

| signatures | wall time | peak RSS | target |
|---|---|---|---|
| ${inBundle.toLocaleString('en')} | ${s(v.wallMs)} | ${v.peakRssMiB} MiB | ≤ 15 s, < 1 GiB (10,000 signatures) |

Verdict: ${v.verdict}

## Server ingest (loopback, real server process, ${server.concurrency} requests in flight)

| records | accepted/s | p50 | p99 | one-by-one verify/s (same run) | ratio | target |
|---|---|---|---|---|---|---|
| ${server.records.toLocaleString('en')} | ${server.acceptedPerSec} | ${s(server.p50Ms)} | ${s(server.p99Ms)} | ${server.oneByOnePerSec} | ${server.ratio}× | ≥ 5× |

The server's first request built the roster tree of 100,000 leaves in ${s(server.rosterWarmMs)} (not in the ingest time).
`;
  writeFileSync(join(here, 'results/bundle.md'), md);
  writePlot();
  process.stdout.write(md);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
setTimeout(() => process.exit(0), 1000).unref();
