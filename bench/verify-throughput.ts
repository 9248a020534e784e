/**
 * `npm run bench:verify [-- --quick]`: Semaphore proof verification throughput, side by side in one
 * process on the same proofs:
 *   baseline      verifyProof from @semaphore-protocol/proof, one proof after the other;
 *   mcl, 1 by 1   our verifier (groth16-batch.ts) on batches of one, main thread;
 *   batch         batches of BATCH proofs, main thread;
 *   pool          the worker pool (one worker per core), each proof verified alone;
 *   pool + batch  the worker pool, each worker verifying batches of BATCH proofs.
 * "Ours" in the summary line is pool + batch. The proofs are 64 real ones (16 with --quick, made
 * once and cached by bench/verify-proofs.ts), repeated to fill the workload: every proof is
 * decoded, validated and paired afresh each time, so
 * repeats cost what distinct proofs would (batching's soundness needs fresh randomness per
 * verification, not distinct proofs; the randomness is fresh for every batch).
 * The methods run in interleaved rounds, alternating their order, so that drift (heat, other load
 * on the machine) falls on all of them alike; the first call of each, which builds a curve or
 * starts threads, is timed apart. Writes bench/results/verify-throughput{,-quick}.{json,md}.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyProof } from '@semaphore-protocol/proof';
import { RANDOMNESS_BYTES, verifySemaphoreProofs } from '../src/core/crypto/groth16-batch.ts';
import type { SemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { VerifyPool } from '../src/node/verify-pool.ts';
import { loadNow, machineInfo } from './machine.ts';
import { type Summary, summarize, timed } from './stats.ts';
import { DEPTH, benchProofs } from './verify-proofs.ts';

const BATCH = 64;
const SETTINGS = {
  // baseline: proofs per round for the one-by-one methods; workload: proofs per round for the others.
  // distinct: real proofs made once and cached (about a second each the first time).
  full: { distinct: 64, baseline: 64, workload: 2048, rounds: 7, file: 'verify-throughput' },
  quick: { distinct: 16, baseline: 32, workload: 256, rounds: 3, file: 'verify-throughput-quick' },
};

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--quick');
if (unknown.length > 0) {
  process.stderr.write(`bench:verify: unknown argument ${unknown.join(' ')}; the only option is --quick\n`);
  process.exit(2);
}
const mode = args.includes('--quick') ? 'quick' : 'full';
const settings = SETTINGS[mode];
const say = (line: string) => process.stderr.write(`bench:verify: ${line}\n`);

type BaselineProof = Parameters<typeof verifyProof>[0];

interface Method {
  name: string;
  /** Proofs per call. */
  proofs: number;
  run(): Promise<boolean[]>;
  /** The first call, timed apart: one proof (one per worker for a pool). */
  first(): Promise<boolean[]>;
}

function mustHold(name: string, valid: boolean[], n: number): void {
  // A verifier that says no measures an early exit, not verification.
  if (valid.length !== n || valid.some((v) => v !== true)) throw new Error(`benchmark aborted: ${name} rejected a valid proof`);
}

async function oneByOne(proofs: readonly SemaphoreProof[], verify: (p: SemaphoreProof) => Promise<boolean>): Promise<boolean[]> {
  const valid: boolean[] = [];
  for (const p of proofs) valid.push(await verify(p));
  return valid;
}

async function inBatches(proofs: readonly SemaphoreProof[], size: number): Promise<boolean[]> {
  const valid: boolean[] = [];
  for (let i = 0; i < proofs.length; i += size) {
    const chunk = proofs.slice(i, i + size);
    valid.push(...(await verifySemaphoreProofs(chunk, nodeVerificationKeys, randomBytes(chunk.length * RANDOMNESS_BYTES))));
  }
  return valid;
}

const machine = machineInfo();
const distinct = await benchProofs(settings.distinct, say);
const repeat = (n: number) => Array.from({ length: n }, (_, i) => distinct[i % distinct.length]);
const few = repeat(settings.baseline);
const many = repeat(settings.workload);
const poolOneByOne = new VerifyPool({ chunkSize: 1 });
const poolBatch = new VerifyPool({ chunkSize: BATCH });

const baselineVerify = (p: SemaphoreProof) => verifyProof(p as unknown as BaselineProof);
const methods: Method[] = [
  { name: 'baseline: `verifyProof` one by one', proofs: few.length, run: () => oneByOne(few, baselineVerify), first: () => oneByOne(few.slice(0, 1), baselineVerify) },
  { name: 'mcl, one by one (batches of 1), 1 thread', proofs: few.length, run: () => inBatches(few, 1), first: () => inBatches(few.slice(0, 1), 1) },
  { name: `batch of ${BATCH}, 1 thread`, proofs: many.length, run: () => inBatches(many, BATCH), first: () => inBatches(few.slice(0, 1), 1) },
  { name: `pool of ${poolOneByOne.size}, one by one`, proofs: many.length, run: () => poolOneByOne.verify(many), first: () => poolOneByOne.verify(few.slice(0, poolOneByOne.size)) },
  { name: `pool of ${poolBatch.size} + batch of ${BATCH}`, proofs: many.length, run: () => poolBatch.verify(many), first: () => poolBatch.verify(few.slice(0, poolBatch.size)) },
];

try {
  say(`${machine.cores} cores, load ${machine.load.start}; ${settings.rounds} rounds; baseline ${few.length} proofs per round, the others ${many.length}`);
  // First calls: the baseline builds snarkjs's curve and threads, ours instantiates mcl, the pools start.
  const firstCallMs: Record<string, number> = {};
  await releaseSnarkjs();
  for (const m of methods) firstCallMs[m.name] = (await timed(() => m.first())).ms;
  const perSec: Record<string, number[]> = Object.fromEntries(methods.map((m) => [m.name, []]));
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? methods : [...methods].reverse();
    for (const m of order) {
      const { ms, value } = await timed(() => m.run());
      mustHold(m.name, value, m.proofs);
      perSec[m.name].push((m.proofs / ms) * 1000);
    }
    say(`round ${round + 1}/${settings.rounds}: ${methods.map((m) => `${Math.round(perSec[m.name][round])}/s`).join(', ')}`);
  }
  machine.load.end = loadNow();

  const summaries: Record<string, Summary> = Object.fromEntries(methods.map((m) => [m.name, summarize(perSec[m.name])]));
  const baselinePerSec = summaries[methods[0].name].median;
  const oursPerSec = summaries[methods[4].name].median;
  const results = {
    mode,
    settings: { ...settings, batch: BATCH, poolSize: poolBatch.size, depth: DEPTH, distinctProofs: distinct.length },
    machine,
    firstCallMs,
    proofsPerSecond: summaries,
    baselinePerSec,
    oursPerSec,
    ratio: oursPerSec / baselinePerSec,
  };
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${settings.file}.json`), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(dir, `${settings.file}.md`), markdown(results, methods, summaries, baselinePerSec, firstCallMs));
  say(`wrote bench/results/${settings.file}.json and .md`);
  const batchPerSec = summaries[methods[2].name].median;
  process.stdout.write(
    JSON.stringify({
      bench: 'verify-throughput',
      mode,
      baselinePerSec: round1(baselinePerSec),
      oursPerSec: round1(oursPerSec),
      ratio: round1(oursPerSec / baselinePerSec),
      batchOneThreadPerSec: round1(batchPerSec),
      batchOneThreadRatio: round1(batchPerSec / baselinePerSec),
      load: machine.load,
    }) + '\n',
  );
} finally {
  await Promise.all([poolOneByOne.close(), poolBatch.close()]);
  await releaseSnarkjs();
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function markdown(
  results: { mode: string; machine: typeof machine; settings: { rounds: number; workload: number; baseline: number; distinct: number } },
  ms: Method[],
  s: Record<string, Summary>,
  baseline: number,
  first: Record<string, number>,
): string {
  const m = results.machine;
  const lines = [
    `Run ${m.date} (${results.mode}) on ${m.cpu}, ${m.cores} cores, Node ${m.node}, commit ${m.git?.commit ?? '?'}${m.git?.dirty ? ' (src modified)' : ''}; load average ${m.load.start} → ${m.load.end}.`,
    '',
    `### Semaphore proof verification throughput (depth ${DEPTH}, ${results.settings.rounds} interleaved rounds)`,
    '',
    '| method | proofs per round | median proofs/s | min | max | vs baseline | first call ms (1 proof per thread) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...ms.map((x) => {
      const v = s[x.name];
      return `| ${x.name} | ${x.proofs} | ${v.median.toFixed(1)} | ${v.min.toFixed(1)} | ${v.max.toFixed(1)} | ${(v.median / baseline).toFixed(1)}× | ${first[x.name].toFixed(0)} |`;
    }),
    '',
    `Baseline \`verifyProof\` is @semaphore-protocol/proof's (snarkjs, which already spreads each proof's four Miller loops over its own worker threads). ` +
      `Ours is the pool + batch row. The ${results.settings.distinct} distinct proofs are repeated to fill a round; each verification decodes, validates (G2 subgroup included) and pairs every proof again, with fresh randomness. ` +
      `First calls (curve building, thread start-up) are excluded from the medians. ` +
      `The pool rows need idle cores: with other work on the machine (see the load average above) they fall towards the one-thread rows.`,
    '',
  ];
  return lines.join('\n');
}
