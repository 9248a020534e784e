/**
 * Sigma protocols on ristretto255, made non-interactive with Fiat–Shamir over a context string
 * that binds each proof to where it is used (docs/protocol.md §10.2):
 * - Schnorr (1991) proof of knowledge of x with X = x·G;
 * - Chaum–Pedersen (1992) proof that log_G(X) = log_H(Y) (DLEQ), used for partial decryptions.
 * Proofs are (c, s) with c the challenge, as in RFC 8235 §3.3's compact form.
 */
import { type Check, fail, pass } from '../result.ts';
import { type Point, G, type Random, challenge, decodeScalar, encodeScalar, mod, mul, mulPublic, randomScalar } from './group.ts';

export interface SigmaProof {
  c: string;
  s: string;
}

const SCHNORR = 'undersigned/schnorr/v1';
const DLEQ = 'undersigned/dleq/v1';

export function proveSchnorr(x: bigint, X: Point, context: string, random: Random): SigmaProof {
  const t = randomScalar(random);
  const T = mul(G, t);
  const c = challenge(SCHNORR, [X, T, context]);
  return { c: encodeScalar(c), s: encodeScalar(mod(t + c * x)) };
}

export function verifySchnorr(X: Point, proof: SigmaProof, context: string): Check {
  const c = decodeScalar(proof.c, 'proof c');
  const s = decodeScalar(proof.s, 'proof s');
  if (!c.ok) return c;
  if (!s.ok) return s;
  // T' = s·G − c·X; the proof holds iff c = H(X, T', context).
  const T = mulPublic(G, s.scalar).subtract(mulPublic(X, c.scalar));
  if (challenge(SCHNORR, [X, T, context]) !== c.scalar) return fail('bad_schnorr', 'the proof of knowledge does not verify');
  return pass();
}

/** Prove log_G(X) = log_H(Y) = x. */
export function proveDleq(x: bigint, X: Point, H: Point, Y: Point, context: string, random: Random): SigmaProof {
  const t = randomScalar(random);
  const A = mul(G, t);
  const B = mul(H, t);
  const c = challenge(DLEQ, [X, H, Y, A, B, context]);
  return { c: encodeScalar(c), s: encodeScalar(mod(t + c * x)) };
}

export function verifyDleq(X: Point, H: Point, Y: Point, proof: SigmaProof, context: string): Check {
  const c = decodeScalar(proof.c, 'proof c');
  const s = decodeScalar(proof.s, 'proof s');
  if (!c.ok) return c;
  if (!s.ok) return s;
  const A = mulPublic(G, s.scalar).subtract(mulPublic(X, c.scalar));
  const B = mulPublic(H, s.scalar).subtract(mulPublic(Y, c.scalar));
  if (challenge(DLEQ, [X, H, Y, A, B, context]) !== c.scalar) return fail('bad_dleq', 'the proof of equal discrete logarithms does not verify');
  return pass();
}
