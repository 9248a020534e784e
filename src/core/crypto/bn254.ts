/**
 * BN254 for Groth16 verification, on a private instance of mcl's WebAssembly build
 * (mcl-wasm, https://github.com/herumi/mcl, curve "BN_SNARK1": alt_bn128 of EIP-196/197, the curve
 * of snarkjs and Semaphore). It decodes and validates points and offers the few operations batch
 * verification needs: scalar multiplication, multi-scalar multiplication, a multi-Miller loop and
 * the final exponentiation.
 *
 *   E  : y² = x³ + 3 over Fp                     G1 = E(Fp), prime order r (cofactor 1)
 *   E' : y² = x³ + 3/ξ over Fp2 = Fp[u]/(u² + 1)  G2 = the order-r subgroup of E'(Fp2), ξ = 9 + u
 *   seed x₀ = 4965661367192848881 (p and r are polynomials in x₀)
 *
 * Validation (every point that comes from outside goes through it):
 *   - coordinates are integers in [0, p); (0, 0) is the point at infinity, as in snarkjs and EIP-196;
 *   - the point is on the curve;
 *   - G1: nothing more, the cofactor is 1 so every point of E(Fp) is in G1;
 *   - G2: the cofactor of E'(Fp2) is 2p − r, so a point on the twist may lie outside G2, and both
 *     the bilinearity batching relies on and the soundness of Groth16 need B ∈ G2. We use the test of
 *     Y. Dai, K. Lin, C.-A. Zhao and Z. Zhou, "Fast subgroup membership testing for G1, G2 and GT
 *     on pairing-friendly curves" (https://eprint.iacr.org/2022/348, the BN case, which holds for
 *     BN254 because x₀ ≢ 4 mod 13 and x₀ ≢ 92 mod 97; see also
 *     https://ethresear.ch/t/fast-mathbb-g-2-subgroup-check-in-bn254/13974):
 *         Q ∈ G2  ⇔  [x₀+1]Q + ψ([x₀]Q) + ψ²([x₀]Q) = ψ³([2x₀]Q)
 *     where ψ is the untwist-Frobenius-twist endomorphism (Galbraith–Scott,
 *     https://eprint.iacr.org/2008/117): ψ(x, y) = (conj(x)·ξ^((p−1)/3), conj(y)·ξ^((p−1)/2)).
 *     One 63-bit multiplication instead of the 254-bit [r]Q = O (mcl's own check, about 3× slower
 *     here). [x₀]Q is computed by plain double-and-add, never by mcl's scalar multiplication, which
 *     uses the endomorphism (GLV) and so is only correct on G2 itself: on a point outside G2 its
 *     result differs from double-and-add (checked with mcl-wasm 2.4.1).
 *
 * Why mcl rather than ffjavascript (snarkjs's BN254): measured on this project's 2-core machine,
 * mcl's multi-Miller loop costs about 1.0 ms per pair and shares one final exponentiation, where
 * ffjavascript needs 0.6 ms to prepare each G2 point plus 1.4 ms per Miller loop; the subgroup test
 * costs 0.3 ms in either. We call mcl's C functions on pointers into its heap rather than through
 * mcl-wasm's object API, which allocates and copies per operation (2–3× slower in our measurements);
 * the instance is our own (createModule), so nobody else's mcl.init or settings can affect it.
 * This depends on mcl-wasm's dist layout, pinned at 2.4.1 in package.json.
 *
 * Core code: no I/O, no clock and no randomness (mcl's RNG is wired to throw).
 */
import createMclModule from 'mcl-wasm/dist/mcl_c.js';

/** The base field order p and the group order r of BN254. */
export const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
export const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const X0 = 4965661367192848881n;

/** mcl's struct sizes for MCLBN_FP_UNIT_SIZE = 6 (mcl-wasm's build): Fp is 6 × 64-bit limbs. */
export const FP = 48;
export const FP2 = 2 * FP;
export const FR = 32;
export const G1 = 3 * FP;
export const G2 = 3 * FP2;
export const GT = 12 * FP;
const BN_SNARK1 = 4;
const COMPILED_TIME_VAR = 4 * 10 + 6;

export type Ptr = number;

/** The subset of mcl's C API (include/mcl/bn.h) used here; all arguments are heap pointers. */
interface Mcl {
  wasmMemory: WebAssembly.Memory;
  _malloc(size: number): Ptr;
  _free(p: Ptr): void;
  _mclBn_init(curve: number, compiledTimeVar: number): number;
  _mclBnFp_setLittleEndianMod(x: Ptr, buf: Ptr, size: number): number;
  _mclBnFp_setInt32(x: Ptr, v: number): void;
  _mclBnFp_add(z: Ptr, x: Ptr, y: Ptr): void;
  _mclBnFp_mul(z: Ptr, x: Ptr, y: Ptr): void;
  _mclBnFp_sqr(y: Ptr, x: Ptr): void;
  _mclBnFp_neg(y: Ptr, x: Ptr): void;
  _mclBnFp_isEqual(x: Ptr, y: Ptr): number;
  _mclBnFp2_add(z: Ptr, x: Ptr, y: Ptr): void;
  _mclBnFp2_mul(z: Ptr, x: Ptr, y: Ptr): void;
  _mclBnFp2_sqr(y: Ptr, x: Ptr): void;
  _mclBnFp2_inv(y: Ptr, x: Ptr): void;
  _mclBnFp2_isEqual(x: Ptr, y: Ptr): number;
  _mclBnFp2_isOne(x: Ptr): number;
  _mclBnFr_setLittleEndianMod(x: Ptr, buf: Ptr, size: number): number;
  _mclBnG1_clear(x: Ptr): void;
  _mclBnG1_isZero(x: Ptr): number;
  _mclBnG1_neg(y: Ptr, x: Ptr): void;
  _mclBnG1_mul(z: Ptr, x: Ptr, y: Ptr): void;
  _mclBnG1_mulVec(z: Ptr, x: Ptr, y: Ptr, n: number): void;
  _mclBnG1_normalize(y: Ptr, x: Ptr): void;
  _mclBnG2_clear(x: Ptr): void;
  _mclBnG2_isZero(x: Ptr): number;
  _mclBnG2_isEqual(x: Ptr, y: Ptr): number;
  _mclBnG2_isValidOrder(x: Ptr): number;
  _mclBnG2_add(z: Ptr, x: Ptr, y: Ptr): void;
  _mclBnG2_dbl(y: Ptr, x: Ptr): void;
  _mclBn_millerLoop(z: Ptr, x: Ptr, y: Ptr): void;
  _mclBn_millerLoopVec(z: Ptr, x: Ptr, y: Ptr, n: number): void;
  _mclBn_finalExp(y: Ptr, x: Ptr): void;
  _mclBnGT_mul(z: Ptr, x: Ptr, y: Ptr): void;
  _mclBnGT_setInt32(x: Ptr, v: number): void;
  _mclBnGT_isOne(x: Ptr): number;
}

/** The curve, ready to use: the mcl instance, its constants and a scratch area for temporaries. */
export interface Curve {
  mcl: Mcl;
  /** Bytes of mcl's heap (re-read after any allocation: the heap may grow). */
  heap(): Uint8Array;
  /** Write a non-negative integer below 2^256 as 32 little-endian bytes at `at`. */
  writeWord(at: Ptr, value: bigint): void;
  k: { one: Ptr; three: Ptr; twistB: Ptr; psiX: Ptr; psiY: Ptr };
  scratch: Ptr;
}

let ready: Promise<Curve> | undefined;

/** Instantiate mcl once (≈100–250 ms) and compute the constants; later calls return the same curve. */
export function bn254(): Promise<Curve> {
  ready ??= instantiate();
  return ready;
}

async function instantiate(): Promise<Curve> {
  const mcl: Mcl = await createMclModule({
    cryptoGetRandomValues: () => {
      throw new Error('bn254: mcl asked for randomness; this module takes none');
    },
  });
  if (mcl._mclBn_init(BN_SNARK1, COMPILED_TIME_VAR) !== 0) throw new Error('bn254: mcl refused BN_SNARK1 (is mcl-wasm 2.4.1 installed?)');
  let view = new Uint8Array(mcl.wasmMemory.buffer);
  const heap = () => (view.buffer === mcl.wasmMemory.buffer ? view : (view = new Uint8Array(mcl.wasmMemory.buffer)));
  const writeWord = (at: Ptr, value: bigint) => {
    const h = heap();
    let v = value;
    for (let i = 0; i < 32; i++) {
      h[at + i] = Number(v & 0xffn);
      v >>= 8n;
    }
  };
  const constants = mcl._malloc(FP + 4 * FP2);
  const scratch = mcl._malloc(8 * G2 + 64);
  const k = { one: constants, three: constants + FP, twistB: constants + FP + FP2, psiX: constants + FP + 2 * FP2, psiY: constants + FP + 3 * FP2 };
  const curve: Curve = { mcl, heap, writeWord, k, scratch };
  // The constants, derived here rather than pasted: 1, 3, b' = 3/ξ, ξ^((p−1)/3) and ξ^((p−1)/2).
  mcl._mclBnFp_setInt32(k.one, 1);
  const xi = scratch;
  setFp2(curve, xi, 9n, 1n);
  setFp2(curve, k.three, 3n, 0n);
  mcl._mclBnFp2_inv(k.twistB, xi);
  mcl._mclBnFp2_mul(k.twistB, k.twistB, k.three);
  fp2Pow(curve, k.psiX, xi, (P - 1n) / 3n, scratch + FP2);
  fp2Pow(curve, k.psiY, xi, (P - 1n) / 2n, scratch + FP2);
  return curve;
}

function setFp(c: Curve, at: Ptr, value: bigint): void {
  c.writeWord(c.scratch + 7 * G2, value);
  c.mcl._mclBnFp_setLittleEndianMod(at, c.scratch + 7 * G2, 32);
}

function setFp2(c: Curve, at: Ptr, c0: bigint, c1: bigint): void {
  setFp(c, at, c0);
  setFp(c, at + FP, c1);
}

/** out = base^e in Fp2, square and multiply (only for constants). */
function fp2Pow(c: Curve, out: Ptr, base: Ptr, e: bigint, tmp: Ptr): void {
  setFp2(c, tmp, 1n, 0n);
  for (const bit of e.toString(2)) {
    c.mcl._mclBnFp2_sqr(tmp, tmp);
    if (bit === '1') c.mcl._mclBnFp2_mul(tmp, tmp, base);
  }
  c.heap().copyWithin(out, tmp, tmp + FP2);
}

/** A scalar below 2^256 into an Fr at `at` (reduced mod r; callers pass values below r). */
export function setFr(c: Curve, at: Ptr, value: bigint): void {
  c.writeWord(c.scratch + 7 * G2, value);
  c.mcl._mclBnFr_setLittleEndianMod(at, c.scratch + 7 * G2, 32);
}

const inField = (v: bigint) => v >= 0n && v < P;

/**
 * Decode an affine G1 point at `at` and check it: coordinates in [0, p), on E (hence in G1).
 * Returns false, leaving `at` unspecified, for anything else.
 */
export function decodeG1(c: Curve, at: Ptr, x: bigint, y: bigint): boolean {
  if (!inField(x) || !inField(y)) return false;
  // 1. (0, 0) encodes the point at infinity (it is not on E: 0 ≠ 3).
  if (x === 0n && y === 0n) {
    c.mcl._mclBnG1_clear(at);
    return true;
  }
  setFp(c, at, x);
  setFp(c, at + FP, y);
  c.mcl._mclBnFp_setInt32(at + 2 * FP, 1);
  // 2. y² = x³ + 3.
  const [lhs, rhs] = [c.scratch, c.scratch + FP];
  c.mcl._mclBnFp_sqr(lhs, at + FP);
  c.mcl._mclBnFp_sqr(rhs, at);
  c.mcl._mclBnFp_mul(rhs, rhs, at);
  c.mcl._mclBnFp_add(rhs, rhs, c.k.three);
  // 3. The cofactor of E(Fp) is 1: on the curve is in G1.
  return c.mcl._mclBnFp_isEqual(lhs, rhs) === 1;
}

/**
 * Decode an affine G2 point ((x0 + x1·u), (y0 + y1·u)) at `at` and check it: coordinates in
 * [0, p), on E', and in the order-r subgroup. Returns false for anything else.
 */
export function decodeG2(c: Curve, at: Ptr, x0: bigint, x1: bigint, y0: bigint, y1: bigint): boolean {
  if (![x0, x1, y0, y1].every(inField)) return false;
  // 1. ((0, 0), (0, 0)) encodes the point at infinity.
  if (x0 === 0n && x1 === 0n && y0 === 0n && y1 === 0n) {
    c.mcl._mclBnG2_clear(at);
    return true;
  }
  setFp2(c, at, x0, x1);
  setFp2(c, at + FP2, y0, y1);
  setFp2(c, at + 2 * FP2, 1n, 0n);
  // 2. y² = x³ + b'.
  const [lhs, rhs] = [c.scratch, c.scratch + FP2];
  c.mcl._mclBnFp2_sqr(lhs, at + FP2);
  c.mcl._mclBnFp2_sqr(rhs, at);
  c.mcl._mclBnFp2_mul(rhs, rhs, at);
  c.mcl._mclBnFp2_add(rhs, rhs, c.k.twistB);
  if (c.mcl._mclBnFp2_isEqual(lhs, rhs) !== 1) return false;
  // 3. In G2 (eprint 2022/348 §5.1).
  return inG2(c, at);
}

/** ψ(Q) in place, on mcl's (Jacobian) coordinates: conj is a field automorphism, so it commutes with Z. */
function psi(c: Curve, q: Ptr): void {
  for (let i = 0; i < 3; i++) c.mcl._mclBnFp_neg(q + i * FP2 + FP, q + i * FP2 + FP);
  c.mcl._mclBnFp2_mul(q, q, c.k.psiX);
  c.mcl._mclBnFp2_mul(q + FP2, q + FP2, c.k.psiY);
}

const X0_BITS = X0.toString(2);

/** [x₀]Q + … = ψ³([2x₀]Q), for a point Q on E' (not necessarily in G2). */
function inG2(c: Curve, q: Ptr): boolean {
  const h = c.heap();
  const [xq, lhs, t] = [c.scratch + 2 * G2, c.scratch + 3 * G2, c.scratch + 4 * G2];
  // [x₀]Q by double-and-add: the group law holds on all of E'(Fp2), GLV only on G2.
  h.copyWithin(xq, q, q + G2);
  for (let i = 1; i < X0_BITS.length; i++) {
    c.mcl._mclBnG2_dbl(xq, xq);
    if (X0_BITS[i] === '1') c.mcl._mclBnG2_add(xq, xq, q);
  }
  // lhs = [x₀+1]Q + ψ([x₀]Q) + ψ²([x₀]Q)
  c.mcl._mclBnG2_add(lhs, xq, q);
  h.copyWithin(t, xq, xq + G2);
  psi(c, t);
  c.mcl._mclBnG2_add(lhs, lhs, t);
  psi(c, t);
  c.mcl._mclBnG2_add(lhs, lhs, t);
  // rhs = ψ³([2x₀]Q)
  c.mcl._mclBnG2_dbl(t, xq);
  psi(c, t);
  psi(c, t);
  psi(c, t);
  return c.mcl._mclBnG2_isEqual(lhs, t) === 1;
}

/** mcl's own test, [r]Q = O, slower; kept to cross-check inG2 in tests. */
export function inG2ByOrder(c: Curve, q: Ptr): boolean {
  return c.mcl._mclBnG2_isValidOrder(q) === 1;
}

export { inG2 };

/** Allocations for one computation, freed together. */
export class Arena {
  readonly base: Ptr;
  private used = 0;
  constructor(
    readonly curve: Curve,
    readonly size: number,
  ) {
    this.base = curve.mcl._malloc(size);
    if (!this.base) throw new Error(`bn254: mcl could not allocate ${size} bytes`);
  }
  take(bytes: number): Ptr {
    const at = this.base + this.used;
    this.used += (bytes + 7) & ~7;
    if (this.used > this.size) throw new Error('bn254: arena overflow');
    return at;
  }
  free(): void {
    this.curve.mcl._free(this.base);
  }
}

/**
 * Whether ((x0 + x1·u), (y0 + y1·u)) is a point of G2 (or the point at infinity (0, 0)): for a
 * verifier that otherwise relies on a library that checks only the curve equation (snarkjs).
 */
export async function isG2Point(x0: bigint, x1: bigint, y0: bigint, y1: bigint): Promise<boolean> {
  const c = await bn254();
  return decodeG2(c, c.scratch + 5 * G2, x0, x1, y0, y1);
}
