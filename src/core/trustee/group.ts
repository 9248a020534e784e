/**
 * The prime-order group used by trustees: ristretto255 (RFC 9496) from @noble/curves.
 * Points travel as 32-byte canonical encodings in hex; scalars as 32-byte little-endian hex
 * below the group order ℓ. Decoding follows RFC 9496 §4.3.1 (noble rejects non-canonical
 * encodings) and we additionally reject the identity wherever a public key or proof element is
 * expected. Fiat–Shamir challenges hash a domain tag and length-prefixed parts with SHA-512 and
 * reduce the 64-byte output mod ℓ (wide reduction: negligible bias). docs/protocol.md §10.
 */
import { ristretto255 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { fail, pass, type Check } from '../result.ts';

export const Point = ristretto255.Point;
export type Point = InstanceType<typeof ristretto255.Point>;
export const G: Point = Point.BASE;
/** ℓ = 2^252 + 27742317777372353535851937790883648493, the order of ristretto255. */
export const L: bigint = Point.Fn.ORDER;

/** Randomness is always passed in (core code makes none of its own). */
export type Random = (bytes: number) => Uint8Array;

export const mod = (a: bigint): bigint => ((a % L) + L) % L;

function leToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** A uniform non-zero scalar from 64 random bytes (wide reduction). */
export function randomScalar(random: Random): bigint {
  for (;;) {
    const s = mod(leToBigint(random(64)));
    if (s !== 0n) return s;
  }
}

/** s·P for any scalar, including 0 (noble's `multiply` refuses 0), in constant time: for a secret s. */
export function mul(P: Point, s: bigint): Point {
  const k = mod(s);
  return k === 0n ? Point.ZERO : P.multiply(k);
}

/**
 * s·P in variable time (noble's `multiplyUnsafe`): only where P and s are both public, as in
 * checking a proof, a Feldman commitment or a published partial decryption. Never with a secret
 * scalar: its running time depends on the scalar's bits. test/architecture.test.ts keeps it out
 * of every function that handles a secret.
 */
export function mulPublic(P: Point, s: bigint): Point {
  const k = mod(s);
  return k === 0n ? Point.ZERO : P.multiplyUnsafe(k);
}

export function encodePoint(P: Point): string {
  return bytesToHex(P.toBytes());
}

export function decodePoint(hex: string, what: string): Check<{ point: Point }> {
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) return fail('bad_point', `${what}: not 32 bytes of hex`);
  let P: Point;
  try {
    P = Point.fromHex(hex); // RFC 9496 §4.3.1: canonical s, non-negative, valid decode
  } catch {
    return fail('bad_point', `${what}: not a canonical ristretto255 encoding`);
  }
  if (P.is0()) return fail('bad_point', `${what}: the identity element is not allowed here`);
  return pass({ point: P });
}

export function encodeScalar(s: bigint): string {
  const out = new Uint8Array(32);
  let v = mod(s);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return bytesToHex(out);
}

export function decodeScalar(hex: string, what: string): Check<{ scalar: bigint }> {
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) return fail('bad_scalar', `${what}: not 32 bytes of hex`);
  const v = leToBigint(hexToBytes(hex));
  if (v >= L) return fail('bad_scalar', `${what}: not below the group order (non-canonical)`);
  return pass({ scalar: v });
}

/** Fiat–Shamir: SHA-512(tag ‖ 0x00 ‖ for each part: u32be(len) ‖ part) mod ℓ. */
export function challenge(tag: string, parts: (Uint8Array | string | Point)[]): bigint {
  const chunks: Uint8Array[] = [utf8ToBytes(tag), new Uint8Array([0])];
  for (const p of parts) {
    const bytes = typeof p === 'string' ? utf8ToBytes(p) : p instanceof Uint8Array ? p : p.toBytes();
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length);
    chunks.push(len, bytes);
  }
  return mod(leToBigint(sha512(concatBytes(...chunks))));
}

/** Lagrange coefficient at 0 for index `i` over the set `indices` (1-based trustee indices). */
export function lagrangeAtZero(i: number, indices: readonly number[]): bigint {
  let num = 1n;
  let den = 1n;
  for (const j of indices) {
    if (j === i) continue;
    num = mod(num * BigInt(j));
    den = mod(den * BigInt(j - i));
  }
  return mod(num * invert(den));
}

export function invert(a: bigint): bigint {
  // Fermat: a^(ℓ−2) mod ℓ (ℓ is prime); a ≠ 0 is guaranteed by distinct indices.
  let result = 1n;
  let base = mod(a);
  let e = L - 2n;
  while (e > 0n) {
    if (e & 1n) result = mod(result * base);
    base = mod(base * base);
    e >>= 1n;
  }
  return result;
}

/** Evaluate the polynomial with coefficients `coeffs` (constant first) at x. */
export function evalPolynomial(coeffs: readonly bigint[], x: number): bigint {
  let acc = 0n;
  for (let j = coeffs.length - 1; j >= 0; j--) acc = mod(acc * BigInt(x) + coeffs[j]);
  return acc;
}

/** Σ_j x^j·C_j: the Feldman check value of a polynomial committed as points C_j. */
export function evalCommitments(commitments: readonly Point[], x: number): Point {
  let acc = Point.ZERO;
  let power = 1n;
  for (const C of commitments) {
    acc = acc.add(mulPublic(C, power));
    power = mod(power * BigInt(x));
  }
  return acc;
}
