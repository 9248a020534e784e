/**
 * Batch verification of Groth16 proofs that share one verification key, and of Semaphore v4
 * proofs (whose key depends on the tree depth) on top of it.
 *
 * Groth16 (J. Groth, "On the Size of Pairing-based Non-interactive Arguments", EUROCRYPT 2016,
 * https://eprint.iacr.org/2016/260, the verifier of §3) accepts a proof (A, B, C) for inputs x when
 *     e(A, B) = e(α, β) · e(L(x), γ) · e(C, δ),   L(x) = IC₀ + Σ_j x_j·IC_j.
 * The Small Exponents Test of M. Bellare, J. Garay, T. Rabin, "Fast Batch Verification for Modular
 * Exponentiation and Digital Signatures", EUROCRYPT '98, LNCS 1403 (full version:
 * https://cseweb.ucsd.edu/~mihir/papers/batch.pdf), applied to that equation:
 * with random r_i of ℓ bits, a batch of n proofs is accepted when
 *     ∏ e(r_i·A_i, B_i) = e(α, β)^{Σr_i} · e(Σ r_i·L(x_i), γ) · e(Σ r_i·C_i, δ)
 * and if any proof is invalid this holds with probability at most 2^-ℓ (here ℓ = 128). All the
 * pairings share one multi-Miller loop of n + 3 pairs and ONE final exponentiation, where one by
 * one costs 4n Miller loops and n final exponentiations. The public inputs fold in the scalar field:
 * Σ_i r_i·L(x_i) = (Σ_i r_i)·IC₀ + Σ_j (Σ_i r_i·x_ij)·IC_j, one multi-scalar multiplication over IC.
 *
 * The guarantee needs every point in its prime-order group, so every point is validated first
 * (bn254.ts: on the curve, and B in G2); a proof that fails validation is invalid on its own, as it
 * is for snarkjs. When a batch fails, bisection finds the invalid proofs: the equation's two sides
 * are products over the proofs, so value(S) = value(left) · value(right); a half that passes means
 * the other half fails, and a single proof's check is its own Groth16 equation raised to r_i ≠ 0,
 * which holds exactly when the proof is valid. The answers are therefore those of one-by-one
 * verification, always for an invalid proof, and for a valid one except with probability 2^-128.
 *
 * The randomness is the caller's (core takes none it did not receive): 16 bytes per proof, read
 * little-endian as an integer t, and r_i = t + 1, so r_i ∈ [1, 2^128] is never 0.
 */
import { type Curve, Arena, FR, G1, G2, GT, type Ptr, R, bn254, decodeG1, decodeG2, setFr } from './bn254.ts';
import { type SemaphoreProof, type VerificationKey, type VerificationKeys, semaphoreGroth16Input, unpackGroth16Proof } from './semaphore.ts';

/** Bytes of randomness per proof. */
export const RANDOMNESS_BYTES = 16;

type Fp2 = readonly [bigint, bigint];
/** A Groth16 proof in affine coordinates, Fp2 elements as [c0, c1] (c0 + c1·u), as snarkjs writes them. */
export interface Groth16Proof {
  a: readonly [bigint, bigint];
  b: readonly [Fp2, Fp2];
  c: readonly [bigint, bigint];
}
export interface Groth16Statement {
  proof: Groth16Proof;
  publicSignals: readonly bigint[];
}

/** A verification key decoded and checked once: mcl's structs as bytes, copied in per batch. */
export interface PreparedKey {
  alpha: Uint8Array;
  beta: Uint8Array;
  gamma: Uint8Array;
  delta: Uint8Array;
  /** IC₀ … IC_k, k = number of public inputs. */
  ic: Uint8Array;
  inputs: number;
}

const prepared = new WeakMap<VerificationKey, PreparedKey>();

/** Decode a snarkjs verification key (trusted configuration: a malformed one throws). */
export async function prepareVerificationKey(vkey: VerificationKey): Promise<PreparedKey> {
  const cached = prepared.get(vkey);
  if (cached) return cached;
  const c = await bn254();
  const v = vkey as unknown as { vk_alpha_1: string[]; vk_beta_2: string[][]; vk_gamma_2: string[][]; vk_delta_2: string[][]; IC: string[][] };
  if (vkey.protocol !== 'groth16' || vkey.curve !== 'bn128' || !Array.isArray(v.IC) || v.IC.length !== vkey.nPublic + 1) {
    throw new Error('groth16-batch: not a snarkjs Groth16 BN254 verification key with nPublic + 1 IC points');
  }
  const arena = new Arena(c, 4 * G2 + 4 * G1);
  try {
    const g1 = (name: string, p: string[]) => {
      const at = arena.take(G1);
      if (p[2] !== '1' || !decodeG1(c, at, BigInt(p[0]), BigInt(p[1]))) throw new Error(`groth16-batch: verification key ${name} is not an affine G1 point`);
      return c.heap().slice(at, at + G1);
    };
    const g2 = (name: string, p: string[][]) => {
      const at = arena.take(G2);
      const ok = p[2][0] === '1' && p[2][1] === '0' && decodeG2(c, at, BigInt(p[0][0]), BigInt(p[0][1]), BigInt(p[1][0]), BigInt(p[1][1]));
      if (!ok) throw new Error(`groth16-batch: verification key ${name} is not an affine G2 point`);
      return c.heap().slice(at, at + G2);
    };
    const ic = new Uint8Array(v.IC.length * G1);
    v.IC.forEach((p, j) => ic.set(g1(`IC[${j}]`, p), j * G1));
    const key: PreparedKey = {
      alpha: g1('vk_alpha_1', v.vk_alpha_1),
      beta: g2('vk_beta_2', v.vk_beta_2),
      gamma: g2('vk_gamma_2', v.vk_gamma_2),
      delta: g2('vk_delta_2', v.vk_delta_2),
      ic,
      inputs: vkey.nPublic,
    };
    prepared.set(vkey, key);
    return key;
  } finally {
    arena.free();
  }
}

function scalarOf(randomness: Uint8Array, i: number): bigint {
  let t = 0n;
  for (let b = RANDOMNESS_BYTES - 1; b >= 0; b--) t = (t << 8n) | BigInt(randomness[i * RANDOMNESS_BYTES + b]);
  return t + 1n;
}

/**
 * Verify Groth16 statements against one key. result[i] is what verifying statement i alone
 * would say. `randomness` holds RANDOMNESS_BYTES fresh random bytes per statement.
 */
export async function verifyGroth16Batch(key: PreparedKey, statements: readonly Groth16Statement[], randomness: Uint8Array): Promise<boolean[]> {
  if (randomness.length !== statements.length * RANDOMNESS_BYTES) {
    throw new RangeError(`groth16-batch: need ${RANDOMNESS_BYTES} random bytes per proof (${statements.length * RANDOMNESS_BYTES}), got ${randomness.length}`);
  }
  const result = statements.map(() => false);
  if (statements.length === 0) return result;
  const c = await bn254();
  const n = statements.length;
  const arena = new Arena(c, Batch.bytes(n, key.inputs));
  try {
    const batch = new Batch(c, arena, key, n);
    // 1. Decode and validate every point and scalar; an invalid one fails on its own.
    const valid: number[] = [];
    statements.forEach((s, i) => {
      if (batch.load(i, s, scalarOf(randomness, i))) valid.push(i);
    });
    if (valid.length === 0) return result;
    // 2. The whole batch: n + 3 pairs, one final exponentiation.
    if (batch.holds(valid)) {
      for (const i of valid) result[i] = true;
      return result;
    }
    // 3. Bisection; each proof's Miller loop is computed once and reused by every subset.
    const bad = new Set<number>();
    batch.locate(valid, bad);
    for (const i of valid) result[i] = !bad.has(i);
    return result;
  } finally {
    arena.free();
  }
}

/** The points and scalars of one batch, laid out in mcl's heap. */
class Batch {
  private readonly negRA: Ptr; // −r_i·A_i
  private readonly b: Ptr; // B_i
  private readonly cPts: Ptr; // C_i
  private readonly r: Ptr; // r_i as Fr
  private readonly miller: Ptr; // ML(−r_i·A_i, B_i), filled on demand during bisection
  private readonly millerDone: boolean[];
  private readonly rs: bigint[] = [];
  private readonly xs: (readonly bigint[])[] = [];
  private readonly k: { alpha: Ptr; beta: Ptr; gamma: Ptr; delta: Ptr; ic: Ptr };
  // Working space for one check.
  private readonly pairsP: Ptr;
  private readonly pairsQ: Ptr;
  private readonly subsetC: Ptr;
  private readonly subsetR: Ptr;
  private readonly scalars: Ptr;
  private readonly f: Ptr;
  private readonly g: Ptr;
  private readonly tmpA: Ptr;

  /** Heap bytes for a batch of n proofs with `inputs` public inputs (what the constructor takes). */
  static bytes(n: number, inputs: number): number {
    return n * (4 * G1 + 2 * G2 + 2 * FR + GT) + (3 + 1 + 1 + inputs + 1) * G1 + (3 + 3) * G2 + (inputs + 1) * FR + 2 * GT;
  }

  constructor(
    private readonly c: Curve,
    arena: Arena,
    private readonly key: PreparedKey,
    n: number,
  ) {
    this.negRA = arena.take(n * G1);
    this.b = arena.take(n * G2);
    this.cPts = arena.take(n * G1);
    this.r = arena.take(n * FR);
    this.miller = arena.take(n * GT);
    this.millerDone = new Array(n).fill(false);
    this.pairsP = arena.take((n + 3) * G1);
    this.pairsQ = arena.take((n + 3) * G2);
    this.subsetC = arena.take(n * G1);
    this.subsetR = arena.take(n * FR);
    this.scalars = arena.take((key.inputs + 1) * FR);
    this.f = arena.take(GT);
    this.g = arena.take(GT);
    this.tmpA = arena.take(G1);
    const copy = (bytes: Uint8Array) => {
      const at = arena.take(bytes.length);
      c.heap().set(bytes, at);
      return at;
    };
    this.k = { alpha: copy(key.alpha), beta: copy(key.beta), gamma: copy(key.gamma), delta: copy(key.delta), ic: copy(key.ic) };
  }

  /** Decode statement i into slot i; false when a point or a scalar is invalid. */
  load(i: number, s: Groth16Statement, r: bigint): boolean {
    const { c } = this;
    const { a, b, c: cc } = s.proof;
    if (s.publicSignals.length !== this.key.inputs || s.publicSignals.some((x) => x < 0n || x >= R)) return false;
    if (!decodeG1(c, this.tmpA, a[0], a[1])) return false;
    if (!decodeG1(c, this.cPts + i * G1, cc[0], cc[1])) return false;
    if (!decodeG2(c, this.b + i * G2, b[0][0], b[0][1], b[1][0], b[1][1])) return false;
    this.rs[i] = r;
    this.xs[i] = s.publicSignals;
    setFr(c, this.r + i * FR, r);
    c.mcl._mclBnG1_mul(this.negRA + i * G1, this.tmpA, this.r + i * FR);
    c.mcl._mclBnG1_neg(this.negRA + i * G1, this.negRA + i * G1);
    c.mcl._mclBnG1_normalize(this.negRA + i * G1, this.negRA + i * G1);
    return true;
  }

  /**
   * Miller loop of the three key pairs for subset S, multiplied into `out`:
   * (Σr)·α with β, Σ r·L(x) with γ, Σ r·C with δ.
   */
  private keyPairs(S: readonly number[], into: { p: Ptr; q: Ptr; count: number }): void {
    const { c, k } = this;
    const { mcl } = c;
    // Σ_i r_i and Σ_i r_i·x_ij in the scalar field.
    const sums = new Array<bigint>(this.key.inputs + 1).fill(0n);
    for (const i of S) {
      sums[0] += this.rs[i];
      this.xs[i].forEach((x, j) => (sums[j + 1] += this.rs[i] * x));
    }
    sums.forEach((s, j) => setFr(c, this.scalars + j * FR, s % R));
    const add = (p: Ptr, q: Ptr) => {
      if (mcl._mclBnG1_isZero(p)) return;
      const h = c.heap();
      const at = into.p + into.count * G1;
      mcl._mclBnG1_normalize(at, p);
      h.copyWithin(into.q + into.count * G2, q, q + G2);
      into.count++;
    };
    const p = this.tmpA;
    mcl._mclBnG1_mul(p, k.alpha, this.scalars);
    add(p, k.beta);
    mcl._mclBnG1_mulVec(p, k.ic, this.scalars, this.key.inputs + 1);
    add(p, k.gamma);
    const h = c.heap();
    S.forEach((i, m) => {
      h.copyWithin(this.subsetC + m * G1, this.cPts + i * G1, this.cPts + (i + 1) * G1);
      h.copyWithin(this.subsetR + m * FR, this.r + i * FR, this.r + (i + 1) * FR);
    });
    mcl._mclBnG1_mulVec(p, this.subsetC, this.subsetR, S.length);
    add(p, k.delta);
  }

  private proofPairUsable(i: number): boolean {
    return !this.c.mcl._mclBnG1_isZero(this.negRA + i * G1) && !this.c.mcl._mclBnG2_isZero(this.b + i * G2);
  }

  /** The batch equation for S, with one multi-Miller loop over |S| + 3 pairs. */
  holds(S: readonly number[]): boolean {
    const { c } = this;
    const h = c.heap();
    const into = { p: this.pairsP, q: this.pairsQ, count: 0 };
    for (const i of S) {
      if (!this.proofPairUsable(i)) continue; // e(O, ·) = e(·, O) = 1
      h.copyWithin(into.p + into.count * G1, this.negRA + i * G1, this.negRA + (i + 1) * G1);
      h.copyWithin(into.q + into.count * G2, this.b + i * G2, this.b + (i + 1) * G2);
      into.count++;
    }
    this.keyPairs(S, into);
    return this.finalIsOne(into, null);
  }

  /** The batch equation for S from the cached per-proof Miller loops. */
  private holdsCached(S: readonly number[]): boolean {
    const { mcl } = this.c;
    mcl._mclBnGT_setInt32(this.g, 1);
    for (const i of S) {
      if (!this.proofPairUsable(i)) continue;
      if (!this.millerDone[i]) {
        mcl._mclBn_millerLoop(this.miller + i * GT, this.negRA + i * G1, this.b + i * G2);
        this.millerDone[i] = true;
      }
      mcl._mclBnGT_mul(this.g, this.g, this.miller + i * GT);
    }
    const into = { p: this.pairsP, q: this.pairsQ, count: 0 };
    this.keyPairs(S, into);
    return this.finalIsOne(into, this.g);
  }

  private finalIsOne(pairs: { p: Ptr; q: Ptr; count: number }, times: Ptr | null): boolean {
    const { mcl } = this.c;
    if (pairs.count > 0) mcl._mclBn_millerLoopVec(this.f, pairs.p, pairs.q, pairs.count);
    else mcl._mclBnGT_setInt32(this.f, 1);
    if (times !== null) mcl._mclBnGT_mul(this.f, this.f, times);
    mcl._mclBn_finalExp(this.f, this.f);
    return mcl._mclBnGT_isOne(this.f) === 1;
  }

  /** S is known to fail: add its invalid members to `bad`. */
  locate(S: readonly number[], bad: Set<number>): void {
    if (S.length === 1) {
      bad.add(S[0]);
      return;
    }
    const half = S.length >> 1;
    const left = S.slice(0, half);
    const right = S.slice(half);
    if (this.holdsCached(left)) {
      this.locate(right, bad); // value(S) = value(left)·value(right) ≠ 1 and value(left) = 1
      return;
    }
    this.locate(left, bad);
    if (!this.holdsCached(right)) this.locate(right, bad);
  }
}

/** A Semaphore proof as a Groth16 statement, or null when a value is out of range (semaphore.ts). */
export function semaphoreStatement(proof: SemaphoreProof): Groth16Statement | null {
  const input = semaphoreGroth16Input(proof);
  if (!input) return null;
  const { pi_a, pi_b, pi_c } = unpackGroth16Proof(proof.points);
  const n = (s: string) => BigInt(s);
  return {
    publicSignals: input.publicSignals,
    proof: {
      a: [n(pi_a[0]), n(pi_a[1])],
      b: [
        [n(pi_b[0][0]), n(pi_b[0][1])],
        [n(pi_b[1][0]), n(pi_b[1][1])],
      ],
      c: [n(pi_c[0]), n(pi_c[1])],
    },
  };
}

/**
 * Verify Semaphore proofs, batched per tree depth (one verification key each). result[i] is what
 * verifySemaphoreProof(proofs[i], keys) says. `randomness`: RANDOMNESS_BYTES per proof, proof i
 * using bytes [16i, 16i + 16).
 */
export async function verifySemaphoreProofs(proofs: readonly SemaphoreProof[], keys: VerificationKeys, randomness: Uint8Array): Promise<boolean[]> {
  if (randomness.length !== proofs.length * RANDOMNESS_BYTES) {
    throw new RangeError(`groth16-batch: need ${RANDOMNESS_BYTES} random bytes per proof (${proofs.length * RANDOMNESS_BYTES}), got ${randomness.length}`);
  }
  const result = proofs.map(() => false);
  const byDepth = new Map<number, { index: number; statement: Groth16Statement }[]>();
  proofs.forEach((proof, index) => {
    const statement = semaphoreStatement(proof);
    if (!statement) return;
    const group = byDepth.get(proof.merkleTreeDepth) ?? [];
    group.push({ index, statement });
    byDepth.set(proof.merkleTreeDepth, group);
  });
  for (const [depth, group] of byDepth) {
    const key = await prepareVerificationKey(await keys(depth));
    const r = new Uint8Array(group.length * RANDOMNESS_BYTES);
    group.forEach(({ index }, m) => r.set(randomness.subarray(index * RANDOMNESS_BYTES, (index + 1) * RANDOMNESS_BYTES), m * RANDOMNESS_BYTES));
    const ok = await verifyGroth16Batch(
      key,
      group.map((g) => g.statement),
      r,
    );
    group.forEach(({ index }, m) => (result[index] = ok[m]));
  }
  return result;
}
