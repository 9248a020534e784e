/**
 * Exponential ElGamal on ristretto255 with the disjunctive proofs a secret ballot needs
 * (docs/protocol.md §12), as in Helios (Adida 2008) after Cramer–Damgård–Schoenmakers (1994):
 *   Enc_Y(m; r) = (a, b) = (r·G, m·G + r·Y)      additively homomorphic in m
 *   one-of proof: (a, b − v·G) is an encryption of 0 for one v in a public list — a
 *     Chaum–Pedersen proof for the true v and simulated ones for the others, with challenges that
 *     sum to the Fiat–Shamir hash, so the verifier learns nothing about which v it is.
 * Every proof is bound to a context (ballot, nullifier, option), so a ciphertext and its proof
 * cannot be copied into another voter's ballot.
 */
import { type Check, fail, pass } from '../result.ts';
import { type Point, G, L, type Random, challenge, decodePoint, decodeScalar, encodePoint, encodeScalar, mod, mul, mulPublic, randomScalar } from '../trustee/group.ts';

export interface Ciphertext {
  a: string;
  b: string;
}

export interface OneOfProof {
  /** Per branch: challenge and response (hex scalars). */
  c: string[];
  s: string[];
}

const ONE_OF = 'undersigned/one-of/v1';

export function encrypt(m: number, r: bigint, Y: Point): { a: Point; b: Point } {
  return { a: mul(G, r), b: mul(G, BigInt(m)).add(mul(Y, r)) };
}

export function encodeCiphertext(ct: { a: Point; b: Point }): Ciphertext {
  return { a: encodePoint(ct.a), b: encodePoint(ct.b) };
}

/** Ciphertext points may be the identity (an encryption of 0 with r = 0 is legal in a sum). */
export function decodeCiphertext(ct: Ciphertext, what: string): Check<{ a: Point; b: Point }> {
  const dec = (hex: string) => {
    if (hex === '0'.repeat(64)) return { ok: true as const, point: G.subtract(G) };
    return decodePoint(hex, what);
  };
  const a = dec(ct.a);
  const b = dec(ct.b);
  if (!a.ok) return a;
  if (!b.ok) return b;
  return pass({ a: a.point, b: b.point });
}

export function addCiphertexts(list: readonly { a: Point; b: Point }[]): { a: Point; b: Point } {
  let a = G.subtract(G);
  let b = G.subtract(G);
  for (const c of list) {
    a = a.add(c.a);
    b = b.add(c.b);
  }
  return { a, b };
}

/** A = s·G − c·a, B = s·Y − c·(b − v·G): `times` is `mul` for the prover (constant time), `mulPublic` for a verifier. */
function branchCommitments(ct: { a: Point; b: Point }, Y: Point, v: number, c: bigint, s: bigint, times: typeof mul): [Point, Point] {
  const bv = ct.b.subtract(times(G, BigInt(v)));
  return [times(G, s).subtract(times(ct.a, c)), times(Y, s).subtract(times(bv, c))];
}

/** Prove that `ct` = Enc(m; r) with m one of `values` (m must be in the list). */
export function proveOneOf(ct: { a: Point; b: Point }, m: number, r: bigint, values: readonly number[], Y: Point, context: string, random: Random): OneOfProof {
  const j = values.indexOf(m);
  if (j < 0) throw new RangeError('the plaintext is not one of the allowed values');
  const c: bigint[] = new Array(values.length).fill(0n);
  const s: bigint[] = new Array(values.length).fill(0n);
  const commitments: Point[] = [];
  const w = randomScalar(random);
  for (let i = 0; i < values.length; i++) {
    if (i === j) {
      commitments.push(mul(G, w), mul(Y, w));
    } else {
      c[i] = randomScalar(random);
      s[i] = randomScalar(random);
      commitments.push(...branchCommitments(ct, Y, values[i], c[i], s[i], mul));
    }
  }
  const total = challenge(ONE_OF, [context, Y, ct.a, ct.b, values.join(','), ...commitments]);
  c[j] = mod(total - c.reduce((acc, x, i) => (i === j ? acc : acc + x), 0n));
  s[j] = mod(w + c[j] * r);
  return { c: c.map(encodeScalar), s: s.map(encodeScalar) };
}

export function verifyOneOf(ct: { a: Point; b: Point }, values: readonly number[], Y: Point, proof: OneOfProof, context: string): Check {
  if (proof.c.length !== values.length || proof.s.length !== values.length) return fail('bad_ballot_proof', 'the proof has the wrong number of branches');
  const commitments: Point[] = [];
  let sum = 0n;
  for (let i = 0; i < values.length; i++) {
    const c = decodeScalar(proof.c[i], 'proof c');
    const s = decodeScalar(proof.s[i], 'proof s');
    if (!c.ok || !s.ok) return fail('bad_ballot_proof', 'a proof scalar is not canonical');
    sum = mod(sum + c.scalar);
    commitments.push(...branchCommitments(ct, Y, values[i], c.scalar, s.scalar, mulPublic));
  }
  const total = challenge(ONE_OF, [context, Y, ct.a, ct.b, values.join(','), ...commitments]);
  if (total !== sum) return fail('bad_ballot_proof', 'the ciphertext is not proven to hold an allowed value');
  return pass();
}

/** The m with M = m·G, for 0 ≤ m ≤ max (a tally is at most the roster size). Linear, fine up to ~10^6. */
export function discreteLog(M: Point, max: number): number | null {
  let acc = G.subtract(G);
  for (let m = 0; m <= max; m++) {
    if (acc.equals(M)) return m;
    acc = acc.add(G);
  }
  return null;
}

export { L };
