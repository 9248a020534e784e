/**
 * Batch verification of Groth16 proofs (src/core/crypto/groth16-batch.ts, Bellare–Garay–Rabin
 * small-exponent batching) and the BN254 checks under it (src/core/crypto/bn254.ts), against one-by-one
 * verification of the same Semaphore proofs with snarkjs (verifySemaphoreProof).
 *
 * Eight real proofs are made once; fast-check then builds batches of them, each proof left alone,
 * re-randomized (still valid) or damaged in one of the ways of test/support/proof-mutations.ts.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import mcl from 'mcl-wasm';
import { groth16 } from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { P, R, isG2Point } from '../src/core/crypto/bn254.ts';
import { RANDOMNESS_BYTES, verifySemaphoreProofs } from '../src/core/crypto/groth16-batch.ts';
import { proveAction } from '../src/core/letter/prove.ts';
import { BN254_FIELD, SNARK_FIELD, type SemaphoreProof, semaphoreGroth16Input, unpackGroth16Proof, verifySemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { MUTATIONS, type Mutation, STILL_VALID, inG2ByDefinition, mutator, packedG2, twistPoint } from './support/proof-mutations.ts';
import { makeWorld, openLetter } from './support/world.ts';

let proofs: SemaphoreProof[];
let mutate: (base: number, mutation: Mutation, other: number) => SemaphoreProof;

beforeAll(async () => {
  const world = await makeWorld({ members: 8 });
  try {
    const letter = await openLetter(world);
    proofs = [];
    for (let i = 0; i < 8; i++) proofs.push((await proveAction(letter.ctx(i), { action: 'support', display: 'anonymous', seq: 1 })).proof);
  } finally {
    await world.close();
  }
  mutate = await mutator(proofs);
});
afterAll(releaseSnarkjs);

const keys = nodeVerificationKeys;
const batch = (ps: readonly SemaphoreProof[], randomness: Uint8Array = randomBytes(ps.length * RANDOMNESS_BYTES)) => verifySemaphoreProofs(ps, keys, randomness);

/** One-by-one answers, memoized: snarkjs takes ~20 ms a proof. */
const reference = new Map<string, boolean>();
async function oneByOne(p: SemaphoreProof): Promise<boolean> {
  const key = JSON.stringify(p);
  if (!reference.has(key)) reference.set(key, await verifySemaphoreProof(p, keys));
  return reference.get(key)!;
}

describe('BN254 (bn254.ts)', () => {
  it('p and r are those of EIP-197, and semaphore.ts bounds signals by r and coordinates by p', () => {
    // EIP-197 (https://eips.ethereum.org/EIPS/eip-197): field modulus and group order of alt_bn128.
    expect(P).toBe(21888242871839275222246405745257275088696311157297823662689037894645226208583n);
    expect(R).toBe(21888242871839275222246405745257275088548364400416034343698204186575808495617n);
    expect(SNARK_FIELD).toBe(R);
    expect(BN254_FIELD).toBe(P);
  });

  it('the ψ test of eprint 2022/348 agrees with [r]Q = O on points of the twist', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.constantFrom('hash-to-G2', 'twist', 'G2-plus-torsion'), async (seed, kind) => {
        const inG2 = mcl.hashAndMapToG2(seed); // hash-to-curve clears the cofactor: in G2
        const torsion = (() => {
          // [r]T for T on the twist has order dividing the cofactor 2p − r.
          const t = twistPoint(`torsion/${seed}`);
          let acc = new mcl.G2();
          for (const bit of R.toString(2)) {
            acc = mcl.dbl(acc);
            if (bit === '1') acc = mcl.add(acc, t);
          }
          return acc;
        })();
        const q = kind === 'hash-to-G2' ? inG2 : kind === 'twist' ? twistPoint(seed) : mcl.add(inG2, torsion);
        const [x1, x0, y1, y0] = packedG2(q).map(BigInt);
        expect(await isG2Point(x0, x1, y0, y1)).toBe(inG2ByDefinition(q));
        expect(inG2ByDefinition(q)).toBe(kind === 'hash-to-G2');
      }),
      { numRuns: 24 },
    );
  });

  it('(0, 0) is the point at infinity, as in snarkjs and EIP-196; coordinates must be below p', async () => {
    expect(await isG2Point(0n, 0n, 0n, 0n)).toBe(true);
    const [x1, x0, y1, y0] = proofs[0].points.slice(2, 6).map(BigInt);
    expect(await isG2Point(x0, x1, y0, y1)).toBe(true);
    expect(await isG2Point(x0 + P, x1, y0, y1)).toBe(false);
  });
});

describe('batch verification (groth16-batch.ts)', () => {
  it('a batch of valid proofs verifies, whatever the randomness', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 8 * RANDOMNESS_BYTES, maxLength: 8 * RANDOMNESS_BYTES }), async (r) => {
        expect(await batch(proofs, r)).toEqual(proofs.map(() => true));
      }),
      { numRuns: 10 },
    );
  });

  it('batch and one-by-one verification agree on random mixes of valid and invalid proofs', async () => {
    const item = fc.record({ base: fc.nat(7), mutation: fc.constantFrom(...MUTATIONS), other: fc.nat(7) });
    const mixes = fc
      .array(item, { minLength: 1, maxLength: 12 })
      .chain((items) => fc.tuple(fc.constant(items), fc.uint8Array({ minLength: items.length * RANDOMNESS_BYTES, maxLength: items.length * RANDOMNESS_BYTES })));
    await fc.assert(
      fc.asyncProperty(mixes, async ([items, r]) => {
        const mixed = items.map(({ base, mutation, other }) => mutate(base, mutation, other));
        const expected = await Promise.all(mixed.map(oneByOne));
        // The one-by-one answers are the ones the mutations promise…
        expect(expected).toEqual(items.map((i) => STILL_VALID.includes(i.mutation)));
        // …and the batch gives the same.
        expect(await batch(mixed, r)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('every kind of damage is caught on its own and inside a batch', async () => {
    for (const mutation of MUTATIONS) {
      const bad = mutate(3, mutation, 5);
      const valid = STILL_VALID.includes(mutation);
      expect(await oneByOne(bad), mutation).toBe(valid);
      expect(await batch([bad]), mutation).toEqual([valid]);
      expect(await batch([...proofs.slice(0, 3), bad, ...proofs.slice(3)]), mutation).toEqual([true, true, true, valid, true, true, true, true, true]);
    }
  });

  it('bisection finds exactly the invalid proofs', async () => {
    const layout = fc.array(fc.boolean(), { minLength: 1, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(layout, fc.nat(7), async (invalid, seed) => {
        const ps = invalid.map((bad, i) => mutate((i + seed) % 8, bad ? 'swap-C' : 'none', i + 1));
        expect(await batch(ps)).toEqual(invalid.map((bad) => !bad));
      }),
      { numRuns: 25 },
    );
  });

  it('snarkjs on its own also rejects these B outside G2 (the subgroup check changes no answer here)', async () => {
    for (const mutation of ['B-twist-not-G2', 'B-plus-torsion'] as const) {
      const p = mutate(0, mutation, 1);
      const input = semaphoreGroth16Input(p)!;
      const vkey = await keys(p.merkleTreeDepth);
      expect(await groth16.verify(vkey as never, input.publicSignals.map(String), unpackGroth16Proof(p.points) as never)).toBe(false);
    }
  });

  it('with the same r for every proof, two invalid proofs can cancel out: r must be random', async () => {
    // C₁ + D and C₂ − D: with r₁ = r₂ the sum Σ r·C, and so the batch equation, is unchanged.
    const d = mcl.hashAndMapToG1('offset');
    const shifted = (i: number, sign: 1 | -1): SemaphoreProof => {
      const c = new mcl.G1();
      c.setStr(`1 ${proofs[i].points[6]} ${proofs[i].points[7]}`, 10);
      const [, x, y] = mcl.normalize(sign === 1 ? mcl.add(c, d) : mcl.sub(c, d)).getStr(10).split(' ');
      return { ...proofs[i], points: [...proofs[i].points.slice(0, 6), x, y] };
    };
    const pair = [shifted(1, 1), shifted(2, -1)];
    expect(await Promise.all(pair.map(oneByOne))).toEqual([false, false]);
    expect(await batch(pair, new Uint8Array(2 * RANDOMNESS_BYTES))).toEqual([true, true]); // r₁ = r₂ = 1: fooled
    expect(await batch(pair)).toEqual([false, false]);
  });

  it('the randomness must be 16 bytes per proof', async () => {
    await expect(batch(proofs, new Uint8Array(8 * RANDOMNESS_BYTES - 1))).rejects.toThrow(RangeError);
    expect(await batch([], new Uint8Array(0))).toEqual([]);
  });
});
