/**
 * EdDSA-Poseidon verification in extended coordinates (src/core/crypto/babyjub.ts) answers as zk-kit's
 * verifySignature (what @semaphore-protocol/identity uses) on valid signatures and on every kind
 * of alteration, for random identities and messages (fast-check); and refuses non-canonical
 * coordinates, which zk-kit would reduce.
 */
import { Identity } from '@semaphore-protocol/identity';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyBabyJubSignature } from '../src/core/crypto/babyjub.ts';

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const N = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;

type Sig = { R8: [bigint, bigint]; S: bigint };
const zk = (m: bigint, s: Sig, a: [bigint, bigint]) => {
  try {
    return Identity.verifySignature(m, s, a);
  } catch {
    return false;
  }
};

const identities = Array.from({ length: 6 }, (_, i) => new Identity(`babyjub test identity ${i}`));

describe('EdDSA-Poseidon verification in extended coordinates', () => {
  it('agrees with zk-kit on valid signatures and on every alteration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: identities.length - 1 }),
        fc.bigInt({ min: 0n, max: P - 1n }),
        fc.constantFrom('none', 'message', 'S', 'S+n', 'R8x', 'R8y', 'Ax', 'other key', 'negated R8', 'S=0'),
        (who, message, change) => {
          const id = identities[who];
          const raw = id.signMessage(message);
          let sig: Sig = { R8: [raw.R8[0], raw.R8[1]], S: raw.S };
          let A: [bigint, bigint] = [id.publicKey[0], id.publicKey[1]];
          let m = message;
          if (change === 'message') m = (message + 1n) % P;
          if (change === 'S') sig = { ...sig, S: (sig.S + 1n) % N };
          if (change === 'S+n') sig = { ...sig, S: sig.S + N };
          if (change === 'S=0') sig = { ...sig, S: 0n };
          if (change === 'R8x') sig = { ...sig, R8: [(sig.R8[0] + 1n) % P, sig.R8[1]] };
          if (change === 'R8y') sig = { ...sig, R8: [sig.R8[0], (sig.R8[1] + 1n) % P] };
          if (change === 'negated R8') sig = { ...sig, R8: [(P - sig.R8[0]) % P, sig.R8[1]] };
          if (change === 'Ax') A = [(A[0] + 1n) % P, A[1]];
          if (change === 'other key') A = [identities[(who + 1) % identities.length].publicKey[0], identities[(who + 1) % identities.length].publicKey[1]];
          const ours = verifyBabyJubSignature(m, sig, A);
          expect(ours).toBe(zk(m, sig, A));
          expect(ours).toBe(change === 'none');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses coordinates written above the field modulus, which zk-kit reduces', () => {
    const id = identities[0];
    const s = id.signMessage(42n);
    const sig: Sig = { R8: [s.R8[0] + P, s.R8[1]], S: s.S };
    expect(zk(42n, sig, [id.publicKey[0], id.publicKey[1]])).toBe(true);
    expect(verifyBabyJubSignature(42n, sig, [id.publicKey[0], id.publicKey[1]])).toBe(false);
    expect(verifyBabyJubSignature(42n, { R8: [s.R8[0], s.R8[1]], S: s.S }, [id.publicKey[0] + P, id.publicKey[1]])).toBe(false);
  });
});
