/**
 * Merkle Tree Hash, audit paths and consistency proofs of RFC 9162 §2.1 (Certificate Transparency
 * v2; the same tree as RFC 6962 §2.1), with SHA-256 as HASH.
 *
 * Sizes and indices are JavaScript numbers and must be safe integers (< 2^53). The bit
 * manipulations of §2.1.3.2 and §2.1.4.2 are written with arithmetic (`% 2`, `Math.floor(x / 2)`)
 * instead of 32-bit bitwise operators, so they stay exact over that whole range.
 *
 * Generators (`inclusionProof`, `consistencyProof`, `MerkleTree`) throw on programmer errors
 * (index out of range, hash of the wrong length). Verifiers never throw on what a proof says:
 * they return a `Check` with a stable `code`.
 *
 * Pure: no I/O, no clock, no randomness.
 */
import { concatBytes, sha256 } from '../encoding.ts';
import { fail, pass, type Check } from '../result.ts';

/** Output size of HASH (SHA-256) in bytes. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** MTH({}) = HASH(), the root of the empty tree (RFC 9162 §2.1.1). */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)). */
export function leafHash(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('leafHash: data must be a Uint8Array');
  return sha256(concatBytes(LEAF_PREFIX, data));
}

/** RFC 9162 §2.1.1: HASH(0x01 || left || right), the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertHash(left, 'nodeHash: left');
  assertHash(right, 'nodeHash: right');
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

/**
 * RFC 9162 §2.1.1: MTH(D_n) over leaf hashes MTH({d(i)}). O(n) hashes, O(log n) memory; the input
 * is not modified.
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(leafHashes)) throw new TypeError('rootFromLeafHashes: expected an array of leaf hashes');
  for (let i = 0; i < leafHashes.length; i++) assertHash(leafHashes[i], `rootFromLeafHashes: leaf ${i}`);
  return rangeRoot(leafHashes, 0, leafHashes.length);
}

/**
 * RFC 9162 §2.1.3.1: the audit path PATH(m, D_n) of leaf `index` in the tree made of the first
 * `size` leaves (default: all of them). O(size) hashes.
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, size: number = leafHashes.length): Uint8Array[] {
  checkLeafArray(leafHashes, 'inclusionProof');
  checkSize(size, leafHashes.length, 'inclusionProof: size');
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`inclusionProof: index ${index} is not in [0, ${size})`);
  }
  return path(index, 0, size, (lo, hi) => rangeRoot(leafHashes, lo, hi));
}

/**
 * RFC 9162 §2.1.4.1: the consistency proof PROOF(m, D_n) between the tree of the first `size1`
 * leaves and the tree of the first `size2` leaves. The RFC defines PROOF for 0 < m < n only; for
 * m = 0 and m = n this returns the empty proof, which is what `verifyConsistency` expects there.
 * O(size2) hashes.
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], size1: number, size2: number): Uint8Array[] {
  checkLeafArray(leafHashes, 'consistencyProof');
  checkSize(size2, leafHashes.length, 'consistencyProof: size2');
  checkSize(size1, size2, 'consistencyProof: size1');
  if (size1 === 0 || size1 === size2) return [];
  return subproof(size1, 0, size2, true, (lo, hi) => rangeRoot(leafHashes, lo, hi));
}

export interface InclusionInput {
  /** MTH({d}) of the leaf, i.e. `leafHash(d)`: the "hash" of RFC 9162 §2.1.3.2. */
  leafHash: Uint8Array;
  /** leaf_index, zero-based. */
  index: number;
  /** tree_size of the tree whose root is `root`. */
  size: number;
  /** inclusion_path, leaf to root. */
  proof: readonly Uint8Array[];
  /** root_hash. */
  root: Uint8Array;
}

/** RFC 9162 §2.1.3.2: verify that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`. */
export function verifyInclusion(input: InclusionInput): Check {
  const { leafHash: hash, index, size, proof, root } = input;
  if (!Number.isSafeInteger(size) || size < 0) return fail('inclusion_bad_size', `tree size ${String(size)} is not a non-negative safe integer`);
  if (!Number.isSafeInteger(index) || index < 0) return fail('inclusion_index_out_of_range', `leaf index ${String(index)} is not a non-negative safe integer`);
  if (!isHash(hash)) return fail('inclusion_bad_hash', `the leaf hash is not ${HASH_SIZE} bytes`);
  if (!isHash(root)) return fail('inclusion_bad_hash', `the root hash is not ${HASH_SIZE} bytes`);
  if (!Array.isArray(proof)) return fail('inclusion_bad_hash', 'the inclusion path is not an array');
  for (let i = 0; i < proof.length; i++) {
    if (!isHash(proof[i])) return fail('inclusion_bad_hash', `inclusion path element ${i} is not ${HASH_SIZE} bytes`);
  }

  // RFC 9162 §2.1.3.2 step 1: fail if leaf_index >= tree_size.
  if (index >= size) return fail('inclusion_index_out_of_range', `leaf index ${index} is not below tree size ${size}`);
  // step 2
  let fn = index;
  let sn = size - 1;
  // step 3
  let r = hash;
  // step 4
  for (const p of proof) {
    // step 4a: a path longer than the tree is high.
    if (sn === 0) return fail('inclusion_proof_wrong_length', `the inclusion path is longer than a tree of size ${size} needs`);
    // step 4b
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    // step 4c
    fn = half(fn);
    sn = half(sn);
  }
  // step 5: sn must be 0 (the path reached the root) and r must equal root_hash.
  if (sn !== 0) return fail('inclusion_proof_wrong_length', `the inclusion path is shorter than a tree of size ${size} needs`);
  if (!equalBytes(r, root)) return fail('inclusion_root_mismatch', 'the inclusion path does not lead to the given root');
  return pass();
}

export interface ConsistencyInput {
  /** first: size of the older tree. */
  size1: number;
  /** second: size of the newer tree. */
  size2: number;
  /** first_hash. */
  root1: Uint8Array;
  /** second_hash. */
  root2: Uint8Array;
  /** consistency_path. */
  proof: readonly Uint8Array[];
}

/**
 * RFC 9162 §2.1.4.2: verify that the tree of `size2` leaves with root `root2` extends the tree of
 * `size1` leaves with root `root1`.
 *
 * The RFC algorithm covers 0 < size1 < size2. The two cases it leaves out have nothing to prove and
 * are handled as transparency-dev/merkle and Sigsum do, with an empty proof required:
 * - size1 == size2: the roots must be equal;
 * - size1 == 0: every tree extends the empty one; root1 must be MTH({}) = SHA-256("") (§2.1.1),
 *   since no other root is a valid root of the empty tree.
 */
export function verifyConsistency(input: ConsistencyInput): Check {
  const { size1, size2, root1, root2, proof } = input;
  if (!Number.isSafeInteger(size1) || size1 < 0) return fail('consistency_bad_size', `size1 ${String(size1)} is not a non-negative safe integer`);
  if (!Number.isSafeInteger(size2) || size2 < 0) return fail('consistency_bad_size', `size2 ${String(size2)} is not a non-negative safe integer`);
  if (size1 > size2) return fail('consistency_size_decreased', `size1 ${size1} is larger than size2 ${size2}`);
  if (!isHash(root1)) return fail('consistency_bad_hash', `root1 is not ${HASH_SIZE} bytes`);
  if (!isHash(root2)) return fail('consistency_bad_hash', `root2 is not ${HASH_SIZE} bytes`);
  if (!Array.isArray(proof)) return fail('consistency_bad_hash', 'the consistency path is not an array');
  for (let i = 0; i < proof.length; i++) {
    if (!isHash(proof[i])) return fail('consistency_bad_hash', `consistency path element ${i} is not ${HASH_SIZE} bytes`);
  }

  if (size1 === size2) {
    if (proof.length !== 0) return fail('consistency_proof_wrong_length', 'trees of equal size need an empty consistency proof');
    if (!equalBytes(root1, root2)) return fail('consistency_root_mismatch', `two different roots for the same tree size ${size1}`);
    return pass();
  }
  if (size1 === 0) {
    if (proof.length !== 0) return fail('consistency_proof_wrong_length', 'consistency with the empty tree needs an empty proof');
    if (!equalBytes(root1, EMPTY_ROOT)) return fail('consistency_root1_mismatch', 'root1 is not the root of the empty tree');
    return pass();
  }

  // RFC 9162 §2.1.4.2 step 1: an empty path proves nothing when 0 < first < second.
  if (proof.length === 0) return fail('consistency_proof_wrong_length', 'the consistency path is empty');
  // step 2: if first is an exact power of 2, prepend first_hash.
  const path: readonly Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // step 3
  let fn = size1 - 1;
  let sn = size2 - 1;
  // step 4
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  // step 5
  let fr = path[0];
  let sr = path[0];
  // step 6
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    // step 6a: a path longer than the tree is high.
    if (sn === 0) return fail('consistency_proof_wrong_length', 'the consistency path is longer than the trees need');
    // step 6b
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    // step 6c
    fn = half(fn);
    sn = half(sn);
  }
  // step 7: sn must be 0, fr must equal first_hash and sr second_hash.
  if (sn !== 0) return fail('consistency_proof_wrong_length', 'the consistency path is shorter than the trees need');
  if (!equalBytes(fr, root1)) return fail('consistency_root1_mismatch', 'the consistency path does not lead to root1');
  if (!equalBytes(sr, root2)) return fail('consistency_root2_mismatch', 'the consistency path does not lead to root2');
  return pass();
}

/**
 * An append-only RFC 9162 tree of leaf hashes that keeps every complete subtree hash.
 *
 * `levels[k][i]` is the hash of the perfect subtree of 2^k leaves starting at leaf i·2^k. Appending
 * computes the new complete subtrees only: amortized 1 `nodeHash` per leaf (at most log2 n).
 * Memory: about 2n hashes (n leaves + n−1 interior nodes), ~130 bytes each in V8.
 * `root(size)` folds the ≤ log2(size) complete subtrees that make up the first `size` leaves:
 * O(log n) hashes. Any subtree MTH(D[lo:hi]) the RFC recursion asks for is put together the same
 * way, so `inclusionProof` and `consistencyProof` cost O(log² n) hashes, for any past size.
 */
export class MerkleTree {
  private readonly levels: Uint8Array[][] = [[]];

  constructor(leafHashes: Iterable<Uint8Array> = []) {
    for (const h of leafHashes) this.append(h);
  }

  /** Number of leaves. */
  get size(): number {
    return this.levels[0].length;
  }

  /** Append one leaf hash (MTH({d}), see `leafHash`); returns its index. */
  append(leafHashValue: Uint8Array): number {
    assertHash(leafHashValue, 'MerkleTree.append: leaf hash');
    const index = this.size;
    this.levels[0].push(leafHashValue.slice());
    // Every time a level gets an even number of nodes, its last two complete a parent.
    let level = 0;
    while (this.levels[level].length % 2 === 0) {
      const nodes = this.levels[level];
      const parent = nodeHash(nodes[nodes.length - 2], nodes[nodes.length - 1]);
      if (this.levels.length === level + 1) this.levels.push([]);
      this.levels[level + 1].push(parent);
      level++;
    }
    return index;
  }

  /** Leaf hash at `index` (a copy). */
  leaf(index: number): Uint8Array {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`MerkleTree.leaf: index ${index} is not in [0, ${this.size})`);
    }
    return this.levels[0][index].slice();
  }

  /** MTH of the first `size` leaves (default: all). */
  root(size: number = this.size): Uint8Array {
    checkSize(size, this.size, 'MerkleTree.root: size');
    return this.rangeRoot(0, size);
  }

  /** PATH(index, D[0:size]) (RFC 9162 §2.1.3.1). */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    checkSize(size, this.size, 'MerkleTree.inclusionProof: size');
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`MerkleTree.inclusionProof: index ${index} is not in [0, ${size})`);
    }
    return path(index, 0, size, (lo, hi) => this.rangeRoot(lo, hi));
  }

  /** PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1); empty when size1 is 0 or equals size2. */
  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    checkSize(size2, this.size, 'MerkleTree.consistencyProof: size2');
    checkSize(size1, size2, 'MerkleTree.consistencyProof: size1');
    if (size1 === 0 || size1 === size2) return [];
    return subproof(size1, 0, size2, true, (lo, hi) => this.rangeRoot(lo, hi));
  }

  /**
   * MTH(D[lo:hi]) from cached complete subtrees. Valid for the ranges RFC 9162's recursion produces:
   * lo is a multiple of the smallest power of two >= hi - lo, so every complete subtree in the
   * binary decomposition of hi - lo, taken largest first from lo, is aligned and cached.
   */
  private rangeRoot(lo: number, hi: number): Uint8Array {
    if (hi === lo) return EMPTY_ROOT.slice();
    const parts: Uint8Array[] = [];
    let offset = lo;
    let remaining = hi - lo;
    for (let k = this.levels.length - 1; k >= 0; k--) {
      const width = 2 ** k;
      if (remaining >= width) {
        parts.push(this.levels[k][offset / width]);
        offset += width;
        remaining -= width;
      }
    }
    return foldRight(parts);
  }
}

// --- internals -------------------------------------------------------------------------------

type RangeRoot = (lo: number, hi: number) => Uint8Array;

/** RFC 9162 §2.1.3.1: PATH(m, D[lo:hi]), m relative to lo. Recursion depth is at most log2 n. */
function path(m: number, lo: number, hi: number, mth: RangeRoot): Uint8Array[] {
  const n = hi - lo;
  // PATH(0, {d(0)}) = {}
  if (n === 1) return [];
  // k is the largest power of two smaller than n.
  const k = largestPowerOfTwoBelow(n);
  // m < k: PATH(m, D[0:k]) : MTH(D[k:n]); m >= k: PATH(m - k, D[k:n]) : MTH(D[0:k]).
  if (m < k) return [...path(m, lo, lo + k, mth), mth(lo + k, hi)];
  return [...path(m - k, lo + k, hi, mth), mth(lo, lo + k)];
}

/** RFC 9162 §2.1.4.1: SUBPROOF(m, D[lo:hi], b). */
function subproof(m: number, lo: number, hi: number, b: boolean, mth: RangeRoot): Uint8Array[] {
  const n = hi - lo;
  // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}.
  if (m === n) return b ? [] : [mth(lo, hi)];
  const k = largestPowerOfTwoBelow(n);
  // m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]); m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
  if (m <= k) return [...subproof(m, lo, lo + k, b, mth), mth(lo + k, hi)];
  return [...subproof(m - k, lo + k, hi, false, mth), mth(lo, lo + k)];
}

/**
 * MTH(leafHashes[lo:hi]) in one left-to-right pass: keep a stack of complete subtrees (strictly
 * decreasing sizes), merge equal-sized neighbours, then fold the rest from the right. That fold is
 * exactly the §2.1.1 split at the largest power of two smaller than n, applied recursively.
 */
function rangeRoot(leafHashes: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi === lo) return EMPTY_ROOT.slice();
  const hashes: Uint8Array[] = [];
  const sizes: number[] = [];
  for (let i = lo; i < hi; i++) {
    let h = leafHashes[i];
    let s = 1;
    while (sizes.length > 0 && sizes[sizes.length - 1] === s) {
      h = nodeHash(hashes.pop()!, h);
      sizes.pop();
      s *= 2;
    }
    hashes.push(h);
    sizes.push(s);
  }
  return foldRight(hashes);
}

/** Combine complete subtrees (largest first) right to left: HASH(0x01 || a || HASH(0x01 || b || …)). */
function foldRight(parts: readonly Uint8Array[]): Uint8Array {
  // A single part is a cached node or a caller's leaf hash: hand out a copy, never an alias.
  if (parts.length === 1) return parts[0].slice();
  let acc = parts[parts.length - 1];
  for (let i = parts.length - 2; i >= 0; i--) acc = nodeHash(parts[i], acc);
  return acc;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
}

function half(x: number): number {
  return Math.floor(x / 2);
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function assertHash(h: unknown, what: string): asserts h is Uint8Array {
  if (!isHash(h)) throw new TypeError(`${what} must be a ${HASH_SIZE}-byte Uint8Array`);
}

function checkLeafArray(leafHashes: readonly Uint8Array[], what: string): void {
  if (!Array.isArray(leafHashes)) throw new TypeError(`${what}: expected an array of leaf hashes`);
  for (let i = 0; i < leafHashes.length; i++) assertHash(leafHashes[i], `${what}: leaf ${i}`);
}

function checkSize(size: number, max: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > max) throw new RangeError(`${what} ${size} is not in [0, ${max}]`);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
