/**
 * The verification worker pool (src/node/verify-pool.ts) and its use by verifyBundle's
 * `verifyProofs` option (src/core/bundle/bundle.ts step 8): the same answers as one-by-one verification,
 * no proof lost or counted twice when a worker dies, and a process that can exit.
 *
 * One real bundle is made once (8 members, five records); its six proofs (the proposal and the
 * records), left alone or damaged (test/support/proof-mutations.ts), make the workloads.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundle, verifyBundle, verifyProofsInSlices } from '../src/core/bundle/bundle.ts';
import { type SemaphoreProof, verifySemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { VerifyPool } from '../src/node/verify-pool.ts';
import { MUTATIONS, type Mutation, mutator } from './support/proof-mutations.ts';
import { type World, makeWorld, openLetter } from './support/world.ts';

let world: World;
let bundle: Bundle;
let proofs: SemaphoreProof[];
let mutate: (base: number, mutation: Mutation, other: number) => SemaphoreProof;
const pools: VerifyPool[] = [];

beforeAll(async () => {
  world = await makeWorld({ members: 8 });
  const letter = await openLetter(world);
  await letter.sign(0, { action: 'support', display: 'anonymous', seq: 1 });
  await letter.sign(1, { action: 'support', display: 'named', seq: 1 });
  await letter.sign(2, { action: 'support', display: 'anonymous', seq: 1 });
  await letter.sign(2, { action: 'withdraw', seq: 2 });
  await letter.sign(3, { action: 'support', display: 'anonymous', seq: 1 });
  await world.instance.letters.close(letter.id);
  bundle = await world.instance.bundles.letter(letter.id);
  const opened = bundle.opened.entry;
  if (opened.kind !== 'letter-opened') throw new Error('the bundle does not open with its letter');
  proofs = [opened.proposal, ...bundle.records.flatMap(({ entry }) => (entry.kind === 'signature' ? [entry.record.proof] : []))];
  mutate = await mutator(proofs);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  await world?.close();
  await releaseSnarkjs();
});

const pool = (options: ConstructorParameters<typeof VerifyPool>[0]) => {
  const p = new VerifyPool(options);
  pools.push(p);
  return p;
};

/** A workload of n proofs cycling through every base proof and mutation, with its one-by-one answers. */
async function workload(n: number): Promise<{ mixed: SemaphoreProof[]; expected: boolean[] }> {
  const distinct = MUTATIONS.flatMap((m, k) => proofs.map((_, b) => mutate(b, m, b + k + 1)));
  const answers = await Promise.all(distinct.map((p) => verifySemaphoreProof(p, nodeVerificationKeys)));
  const mixed = Array.from({ length: n }, (_, i) => distinct[(i * 7) % distinct.length]);
  const expected = Array.from({ length: n }, (_, i) => answers[(i * 7) % distinct.length]);
  return { mixed, expected };
}

describe('verify pool', () => {
  it('answers as one-by-one verification does, in order', async () => {
    const { mixed, expected } = await workload(300);
    expect(expected.filter(Boolean).length).toBeGreaterThan(20);
    expect(expected.filter((v) => !v).length).toBeGreaterThan(20);
    expect(await pool({ size: 2, chunkSize: 16 }).verify(mixed)).toEqual(expected);
    expect(await pool({ size: 3, chunkSize: 1 }).verify(mixed.slice(0, 40))).toEqual(expected.slice(0, 40));
  });

  it('a worker killed mid-batch: every proof is still answered, exactly once', async () => {
    const { mixed, expected } = await workload(400);
    const p = pool({ size: 2, chunkSize: 8 });
    await p.verify(mixed.slice(0, 2)); // both workers up
    const progress: number[] = [];
    let kills = 0;
    const valid = await p.verify(mixed, (done, total) => {
      progress.push(done);
      expect(total).toBe(mixed.length);
      // Kill a busy worker twice along the way, and then both at once.
      if (progress.length === 3 || progress.length === 10) {
        kills++;
        void p.workers[0].terminate();
      }
      if (progress.length === 20) {
        kills += 2;
        for (const w of p.workers) void w.terminate();
      }
    });
    expect(kills).toBe(4);
    expect(valid).toEqual(expected);
    // Progress counts each chunk once: strictly increasing, ending at the total, never beyond.
    expect(progress.every((d, i) => i === 0 || d > progress[i - 1])).toBe(true);
    expect(progress.at(-1)).toBe(mixed.length);
    expect(p.workers.length).toBe(2);
    expect(await p.verify(mixed.slice(0, 30))).toEqual(expected.slice(0, 30));
  });

  it('a closed pool refuses work', async () => {
    const p = pool({ size: 1 });
    await p.close();
    await expect(p.verify(proofs)).rejects.toThrow('closed');
    expect(p.workers.length).toBe(0);
  });

  it('the process exits once the pool is idle, closed or not', async () => {
    const run = promisify(execFile);
    for (const close of ['await pool.close();', '']) {
      const script = `import { VerifyPool } from './src/node/verify-pool.ts';
        const pool = new VerifyPool({ size: 2 });
        const valid = await pool.verify(JSON.parse(process.env.PROOFS));
        console.log(JSON.stringify(valid)); ${close}`;
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        env: { ...process.env, PROOFS: JSON.stringify(proofs) },
        timeout: 60_000,
      });
      expect(JSON.parse(stdout)).toEqual(proofs.map(() => true));
    }
  });
});

describe('verifyBundle with verifyProofs', () => {
  it('gives the verdict it gives without, with the pool verifying the proofs', async () => {
    const alone = await verifyBundle(bundle, { keys: nodeVerificationKeys });
    expect(alone.valid).toBe(true);
    const p = pool({ size: 2 });
    expect(await verifyBundle(bundle, { keys: nodeVerificationKeys, verifyProofs: (ps) => p.verify(ps) })).toEqual(alone);
  });

  it('reports the first record whose proof is rejected, as one-by-one verification words it', async () => {
    const rejecting = (bad: number[]) => async (ps: SemaphoreProof[]) => ps.map((_, i) => !bad.includes(i));
    expect(await verifyBundle(bundle, { keys: nodeVerificationKeys, verifyProofs: rejecting([2, 4]) })).toEqual({
      valid: false,
      code: 'bad_proof',
      reason: 'record 2: proof does not verify',
    });
    // Missing answers count as rejections.
    const verdict = await verifyBundle(bundle, { keys: nodeVerificationKeys, verifyProofs: async () => [true] });
    expect(verdict).toMatchObject({ valid: false, reason: 'record 1: proof does not verify' });
  });

  it('reports an earlier step’s failure even while the record proofs, started first, fail or throw', async () => {
    const tampered = JSON.parse(JSON.stringify(bundle));
    tampered.roster.members[0].name = 'Someone Else';
    const alone = await verifyBundle(tampered, { keys: nodeVerificationKeys });
    expect(alone).toMatchObject({ valid: false, code: 'roster_digest_mismatch' });
    const calls: number[] = [];
    const throwing = async (ps: SemaphoreProof[]) => {
      calls.push(ps.length);
      throw new Error('pool crashed');
    };
    expect(await verifyBundle(tampered, { keys: nodeVerificationKeys, verifyProofs: throwing })).toEqual(alone);
    expect(calls).toEqual([bundle.records.length]); // the records' proofs were started before the roster was read
    // With nothing else wrong, the verifier's failure is the caller's to see, as before.
    await expect(verifyBundle(bundle, { keys: nodeVerificationKeys, verifyProofs: throwing })).rejects.toThrow('pool crashed');
  });

  it('hands proofs over a slice at a time, two in flight, and starts none once stopped', async () => {
    const many: SemaphoreProof[] = Array.from({ length: 5000 }, (_, i) => proofs[i % proofs.length]);
    const calls: number[] = [];
    const stop = { requested: false };
    const ticks: number[] = [];
    const verdicts = await verifyProofsInSlices(
      many,
      async (ps) => {
        calls.push(ps.length);
        if (calls.length === 2) stop.requested = true; // an earlier step failed meanwhile
        await new Promise((r) => setTimeout(r, 5));
        return ps.map(() => true);
      },
      stop,
      (done) => ticks.push(done),
    );
    expect(calls).toEqual([1024, 1024]);
    expect(verdicts.filter(Boolean)).toHaveLength(2048); // the rest never checked: rejected
    expect(ticks).toEqual([]); // no progress once stopped
    // Each proof's own verdict, in place, whichever lane finishes first.
    const distinct = many.map((p, i) => ({ ...p, nullifier: String(i) }));
    const all = await verifyProofsInSlices(
      distinct,
      async (ps) => {
        await new Promise((r) => setTimeout(r, ps[0].nullifier === '0' ? 20 : 1)); // the first slice finishes last
        return ps.map((p) => Number(p.nullifier) % 3 === 0);
      },
      { requested: false },
      (done) => ticks.push(done),
    );
    expect(all).toEqual(distinct.map((_, i) => i % 3 === 0));
    expect(ticks.at(-1)).toBe(5000);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
  });

  it('reports progress while the proofs are verified', async () => {
    const ticks: [number, number][] = [];
    const p = pool({ size: 1 });
    await verifyBundle(bundle, { keys: nodeVerificationKeys, verifyProofs: (ps) => p.verify(ps), onProgress: (d, t) => ticks.push([d, t]) });
    expect(ticks.at(-1)).toEqual([bundle.records.length, bundle.records.length]);
  });
});
