import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCiphertexts, discreteLog, encodeCiphertext, encrypt, proveOneOf, verifyOneOf } from '../src/core/ballot/elgamal.ts';
import { computeTally, makeTallyEntry } from '../src/core/ballot/tally.ts';
import { G, L, mod, mul, randomScalar } from '../src/core/trustee/group.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
const y = randomScalar(random);
const Y = mul(G, y);

describe('exponential ElGamal one-of proofs', () => {
  it('a 0/1 proof accepts encryptions of 0 and of 1', () => {
    for (const m of [0, 1]) {
      const r = randomScalar(random);
      const ct = encrypt(m, r, Y);
      expect(verifyOneOf(ct, [0, 1], Y, proveOneOf(ct, m, r, [0, 1], Y, 'ctx', random), 'ctx').ok).toBe(true);
    }
  });

  it('an encryption of 2 or of −1 cannot carry a valid 0/1 proof', () => {
    for (const m of [2, -1]) {
      const r = randomScalar(random);
      const ct = { a: mul(G, r), b: mul(G, mod(BigInt(m))).add(mul(Y, r)) };
      // A cheating prover can only run the protocol as if the value were 0 or 1.
      for (const claimed of [0, 1]) {
        expect(verifyOneOf(ct, [0, 1], Y, proveOneOf(encrypt(claimed, r, Y), claimed, r, [0, 1], Y, 'ctx', random), 'ctx').ok).toBe(false);
      }
    }
  });

  it('two chosen options fail the exactly-one proof', () => {
    const r1 = randomScalar(random);
    const r2 = randomScalar(random);
    const sum = addCiphertexts([encrypt(1, r1, Y), encrypt(1, r2, Y)]);
    expect(verifyOneOf(sum, [1], Y, proveOneOf(encrypt(1, r1 + r2, Y), 1, r1 + r2, [1], Y, 'sum', random), 'sum').ok).toBe(false);
  });

  it('a proof is bound to its context (a ciphertext copied into another ballot fails)', () => {
    const r = randomScalar(random);
    const ct = encrypt(1, r, Y);
    const p = proveOneOf(ct, 1, r, [0, 1], Y, 'voter-1', random);
    expect(verifyOneOf(ct, [0, 1], Y, p, 'voter-2').ok).toBe(false);
  });

  it('every altered proof scalar is rejected', () => {
    const r = randomScalar(random);
    const ct = encrypt(0, r, Y);
    const p = proveOneOf(ct, 0, r, [0, 1], Y, 'ctx', random);
    for (const field of ['c', 's'] as const) {
      for (let i = 0; i < 2; i++) {
        const q = structuredClone(p);
        q[field][i] = (BigInt('0x' + q[field][i]) ^ 1n).toString(16).padStart(64, '0');
        expect(verifyOneOf(ct, [0, 1], Y, q, 'ctx').ok).toBe(false);
      }
    }
  });

  it('the discrete log recovers small counts', () => {
    expect(discreteLog(mul(G, 77n), 153)).toBe(77);
    expect(discreteLog(G.subtract(G), 10)).toBe(0);
    expect(discreteLog(mul(G, 200n), 153)).toBe(null);
  });
});

describe('threshold tally', () => {
  // A 2-of-2 toy sharing: indices 1 and 2 with x = 2·x1 − x2 (Lagrange at 0).
  const x1 = randomScalar(random);
  const x2 = mod(2n * x1 - y);
  const shares = [mul(G, x1), mul(G, x2)];
  const tsecrets = [randomScalar(random), randomScalar(random)];
  const tkeys = tsecrets.map((t) => mul(G, t));

  it('for any sequence of choices the decrypted tally equals the plain count (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 0, maxLength: 12 }), (choices) => {
        const sums = [0, 1, 2].map((j) =>
          encodeCiphertext(addCiphertexts(choices.map((c) => encrypt(c === j ? 1 : 0, randomScalar(random), Y)))),
        );
        const entries = [
          makeTallyEntry({ ballotId: 'aa'.repeat(32), committeeId: 'bb'.repeat(32), trustee: 1, share: x1, publicShare: shares[0], transportSecret: tsecrets[0], sums }, random),
          makeTallyEntry({ ballotId: 'aa'.repeat(32), committeeId: 'bb'.repeat(32), trustee: 2, share: x2, publicShare: shares[1], transportSecret: tsecrets[1], sums }, random),
        ];
        const t = computeTally({ ballotId: 'aa'.repeat(32), committeeId: 'bb'.repeat(32), k: 2, publicShares: shares, transportKeys: tkeys, sums, voters: choices.length, entries });
        const expected = [0, 1, 2].map((j) => choices.filter((c) => c === j).length);
        return t.ok && JSON.stringify(t.result.counts) === JSON.stringify(expected);
      }),
      { numRuns: 15 },
    );
  });

  it('an entry not signed by the trustee it names blames nobody', () => {
    const sums = [encodeCiphertext(encrypt(1, randomScalar(random), Y)), encodeCiphertext(encrypt(0, randomScalar(random), Y))];
    const forged = makeTallyEntry({ ballotId: 'aa'.repeat(32), committeeId: 'bb'.repeat(32), trustee: 2, share: 5n, publicShare: shares[1], transportSecret: tsecrets[0], sums }, random);
    const t = computeTally({ ballotId: 'aa'.repeat(32), committeeId: 'bb'.repeat(32), k: 2, publicShares: shares, transportKeys: tkeys, sums, voters: 1, entries: [forged] });
    expect(t).toMatchObject({ ok: true, result: { counts: null, misbehaving: [] } });
  });

  it('a wrong partial is ignored and its trustee named; with fewer than k valid there is no result', () => {
    const sums = [encodeCiphertext(encrypt(3, randomScalar(random), Y)), encodeCiphertext(encrypt(2, randomScalar(random), Y))];
    const good = makeTallyEntry({ ballotId: 'aa'.repeat(32), committeeId: 'bb'.repeat(32), trustee: 1, share: x1, publicShare: shares[0], transportSecret: tsecrets[0], sums }, random);
    const bad = makeTallyEntry({ ballotId: 'aa'.repeat(32), committeeId: 'bb'.repeat(32), trustee: 2, share: (x2 + 1n) % L, publicShare: shares[1], transportSecret: tsecrets[1], sums }, random);
    const t = computeTally({ ballotId: 'aa'.repeat(32), committeeId: 'bb'.repeat(32), k: 2, publicShares: shares, transportKeys: tkeys, sums, voters: 5, entries: [good, bad] });
    expect(t).toMatchObject({ ok: true, result: { counts: null, misbehaving: [{ trustee: 2 }] } });
  });
});
