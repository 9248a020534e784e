/**
 * RFC 9162 §2.1 Merkle tree: published vectors (transparency-dev/merkle), invalid proofs, and
 * properties over random trees.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { bytesToHex, hexToBytes, sha256 } from '../src/core/encoding.ts';
import {
  EMPTY_ROOT,
  HASH_SIZE,
  type ConsistencyInput,
  type InclusionInput,
  MerkleTree,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '../src/core/log/merkle.ts';
import treeFixture from './fixtures/rfc9162/transparency-dev-merkle-tree.json' with { type: 'json' };
import proofFixture from './fixtures/rfc9162/transparency-dev-merkle-proofs.json' with { type: 'json' };

const hex = (h: string) => hexToBytes(h);
const hexes = (hs: readonly string[]) => hs.map(hex);
const toHex = (bs: readonly Uint8Array[]) => bs.map(bytesToHex);

const leaves = treeFixture.leafInputs.map((d) => leafHash(hex(d)));
const roots = hexes(treeFixture.rootHashes); // roots[n] = MTH of the first n leaves

/** A copy of `bytes` with byte `i` XORed with `mask`. */
function flip(bytes: Uint8Array, i: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[i] ^= mask;
  return out;
}

/** `count` distinct pseudo-random leaf hashes (deterministic). */
function someLeaves(count: number, salt = 0): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${salt}/${i}`)));
}

const hashArb = fc.uint8Array({ minLength: HASH_SIZE, maxLength: HASH_SIZE });

describe('RFC 9162 §2.1.1 Merkle Tree Hash', () => {
  it('hashes leaves and nodes with the 0x00 / 0x01 prefixes', () => {
    expect(bytesToHex(leafHash(new Uint8Array(0)))).toBe(treeFixture.nodeHashes[0][0]);
    const [a, b] = [leaves[0], leaves[1]];
    const manual = sha256(new Uint8Array([0x01, ...a, ...b]));
    expect(nodeHash(a, b)).toEqual(manual);
  });

  it('reproduces every complete-subtree hash of the vector tree', () => {
    const levels = treeFixture.nodeHashes;
    expect(toHex(leaves)).toEqual(levels[0]);
    for (let k = 1; k < levels.length; k++) {
      levels[k].forEach((h, i) => {
        expect(bytesToHex(nodeHash(hex(levels[k - 1][2 * i]), hex(levels[k - 1][2 * i + 1])))).toBe(h);
      });
    }
  });

  it('matches the published roots for sizes 0..8', () => {
    expect(roots).toHaveLength(9);
    expect(EMPTY_ROOT).toEqual(roots[0]);
    const tree = new MerkleTree();
    expect(tree.root()).toEqual(roots[0]);
    for (let n = 0; n <= leaves.length; n++) {
      expect(bytesToHex(rootFromLeafHashes(leaves.slice(0, n))), `size ${n}`).toBe(treeFixture.rootHashes[n]);
      if (n > 0) tree.append(leaves[n - 1]);
      expect(bytesToHex(tree.root()), `MerkleTree size ${n}`).toBe(treeFixture.rootHashes[n]);
    }
  });

  it('does not modify its input', () => {
    const input = leaves.map((l) => l.slice());
    rootFromLeafHashes(input);
    inclusionProof(input, 3);
    consistencyProof(input, 3, 7);
    expect(input).toEqual(leaves);
  });
});

describe('RFC 9162 §2.1.3 inclusion proofs, published vectors', () => {
  for (const v of proofFixture.inclusionProofs) {
    const index = v.leaf - 1; // verify_test.go vectors are 1-based
    it(`leaf ${index} of ${v.size}`, () => {
      const proof = hexes(v.proof);
      expect(verifyInclusion({ leafHash: leaves[index], index, size: v.size, proof, root: roots[v.size] })).toEqual({ ok: true });
      expect(toHex(inclusionProof(leaves, index, v.size))).toEqual(v.proof);
      expect(toHex(new MerkleTree(leaves).inclusionProof(index, v.size))).toEqual(v.proof);
    });
  }
});

describe('RFC 9162 §2.1.4 consistency proofs, published vectors', () => {
  for (const v of proofFixture.consistencyProofs) {
    it(`${v.size1} -> ${v.size2}`, () => {
      const proof = hexes(v.proof);
      expect(verifyConsistency({ size1: v.size1, size2: v.size2, root1: roots[v.size1], root2: roots[v.size2], proof })).toEqual({ ok: true });
      expect(toHex(consistencyProof(leaves, v.size1, v.size2))).toEqual(v.proof);
      expect(toHex(new MerkleTree(leaves).consistencyProof(v.size1, v.size2))).toEqual(v.proof);
    });
  }
});

describe('invalid inclusion proofs are rejected', () => {
  // Leaf 5 of 8 (the 'leaf 6' vector): path [leaf 4, node(6,7), node(0..3)].
  const good: InclusionInput = { leafHash: leaves[5], index: 5, size: 8, proof: hexes(proofFixture.inclusionProofs[2].proof), root: roots[8] };
  const code = (overrides: Partial<typeof good>) => {
    const r = verifyInclusion({ ...good, ...overrides });
    return r.ok ? 'ok' : r.code;
  };

  it('accepts the untouched proof', () => expect(code({})).toBe('ok'));
  // Leaf 4's hash hashed along leaf 5's path gives another root.
  it('wrong leaf', () => expect(code({ leafHash: leaves[4] })).toBe('inclusion_root_mismatch'));
  // Index 4 puts the leaf on the left of its sibling: the hashing order changes.
  it('wrong index (index - 1)', () => expect(code({ index: 4 })).toBe('inclusion_root_mismatch'));
  // Index 7 keeps the path length but swaps sides at the bottom two levels.
  it('wrong index (index ^ 2)', () => expect(code({ index: 7 })).toBe('inclusion_root_mismatch'));
  // §2.1.3.2 step 1: leaf_index >= tree_size.
  it('index equal to size', () => expect(code({ index: 8 })).toBe('inclusion_index_out_of_range'));
  it('index beyond a halved size', () => expect(code({ size: 4 })).toBe('inclusion_index_out_of_range'));
  it('negative index', () => expect(code({ index: -1 })).toBe('inclusion_index_out_of_range'));
  it('fractional index', () => expect(code({ index: 1.5 })).toBe('inclusion_index_out_of_range'));
  // A tree of 16 leaves is 4 levels high: 3 hashes are too few (step 5, sn != 0).
  it('doubled size', () => expect(code({ size: 16 })).toBe('inclusion_proof_wrong_length'));
  // Without the top hash the path stops one level below the root (step 5, sn != 0).
  it('truncated proof', () => expect(code({ proof: good.proof.slice(0, -1) })).toBe('inclusion_proof_wrong_length'));
  // A 4th hash would climb above the root of an 8-leaf tree (step 4a, sn == 0).
  it('extra trailing hash (the root)', () => expect(code({ proof: [...good.proof, roots[8]] })).toBe('inclusion_proof_wrong_length'));
  it('extra leading hash', () => expect(code({ proof: [roots[8], ...good.proof] })).toBe('inclusion_proof_wrong_length'));
  // Same length, one component replaced: the recomputed root differs.
  it('inserted component', () => expect(code({ proof: [good.proof[0], roots[3], good.proof[2]] })).toBe('inclusion_root_mismatch'));
  // The path is fine but the root is another tree's.
  it('wrong root (empty tree)', () => expect(code({ root: EMPTY_ROOT })).toBe('inclusion_root_mismatch'));
  it('wrong root (size 7)', () => expect(code({ root: roots[7] })).toBe('inclusion_root_mismatch'));
  // Inputs of the wrong shape are reported, not thrown.
  it('31-byte proof element', () => expect(code({ proof: [good.proof[0].slice(1), good.proof[1], good.proof[2]] })).toBe('inclusion_bad_hash'));
  it('empty leaf hash', () => expect(code({ leafHash: new Uint8Array(0) })).toBe('inclusion_bad_hash'));
  it('33-byte root', () => expect(code({ root: new Uint8Array(33) })).toBe('inclusion_bad_hash'));
  it('negative size', () => expect(code({ size: -8 })).toBe('inclusion_bad_size'));
  it('size beyond 2^53', () => expect(code({ size: 2 ** 53 })).toBe('inclusion_bad_size'));
  // A one-leaf tree: the leaf hash is the root and the path is empty.
  it('single leaf: empty path, root is the leaf hash', () => {
    expect(verifyInclusion({ leafHash: leaves[0], index: 0, size: 1, proof: [], root: leaves[0] }).ok).toBe(true);
    expect(verifyInclusion({ leafHash: leaves[0], index: 0, size: 1, proof: [], root: roots[2] })).toMatchObject({ code: 'inclusion_root_mismatch' });
    // An empty tree has no leaf 0.
    expect(verifyInclusion({ leafHash: leaves[0], index: 0, size: 0, proof: [], root: EMPTY_ROOT })).toMatchObject({ code: 'inclusion_index_out_of_range' });
  });
});

describe('invalid consistency proofs are rejected', () => {
  // 6 -> 8 (not a power of two, so root1 is not prepended by step 2).
  const good: ConsistencyInput = { size1: 6, size2: 8, root1: roots[6], root2: roots[8], proof: hexes(proofFixture.consistencyProofs[2].proof) };
  const code = (overrides: Partial<typeof good>) => {
    const r = verifyConsistency({ ...good, ...overrides });
    return r.ok ? 'ok' : r.code;
  };

  it('accepts the untouched proof', () => expect(code({})).toBe('ok'));
  // A log never shrinks.
  it('size1 > size2', () => expect(code({ size1: 8, size2: 6, root1: roots[8], root2: roots[6] })).toBe('consistency_size_decreased'));
  // The proof does not lead to another tree's root.
  it('wrong root1', () => expect(code({ root1: roots[5] })).toBe('consistency_root1_mismatch'));
  it('wrong root2', () => expect(code({ root2: roots[7] })).toBe('consistency_root2_mismatch'));
  it('swapped roots', () => expect(code({ root1: roots[8], root2: roots[6] })).toBe('consistency_root1_mismatch'));
  // Same hashes for 5 -> 8: 5-1 = 4 has LSB 0, the walk takes other branches.
  it('size1 - 1', () => expect(code({ size1: 5, root1: roots[5] })).not.toBe('ok'));
  // §2.1.4.2 step 7: sn != 0 after a truncated path.
  it('truncated proof', () => expect(code({ proof: good.proof.slice(0, -1) })).toBe('consistency_proof_wrong_length'));
  // §2.1.4.2 step 6a: sn reaches 0 before the path ends.
  it('extra trailing hash', () => expect(code({ proof: [...good.proof, roots[8]] })).toBe('consistency_proof_wrong_length'));
  it('extra leading hash', () => expect(code({ proof: [good.proof[0], ...good.proof] })).toBe('consistency_proof_wrong_length'));
  // §2.1.4.2 step 1: 0 < size1 < size2 needs a non-empty path.
  it('empty proof', () => expect(code({ proof: [] })).toBe('consistency_proof_wrong_length'));
  it('flipped bit in proof[1]', () => expect(code({ proof: [good.proof[0], flip(good.proof[1], 0, 16), good.proof[2]] })).not.toBe('ok'));
  it('31-byte root2', () => expect(code({ root2: roots[8].slice(1) })).toBe('consistency_bad_hash'));
  it('fractional size', () => expect(code({ size2: 7.5 })).toBe('consistency_bad_size'));

  // Power-of-two size1 (1 -> 8): step 2 prepends root1, so a wrong root1 shows up in root2's fold.
  it('power-of-two size1 with a wrong root1', () => {
    const p = hexes(proofFixture.consistencyProofs[1].proof);
    const r = verifyConsistency({ size1: 1, size2: 8, root1: roots[2], root2: roots[8], proof: p });
    expect(r).toMatchObject({ ok: false, code: 'consistency_root2_mismatch' });
  });

  describe('sizes outside 0 < size1 < size2', () => {
    it('equal sizes: equal roots, empty proof', () => {
      expect(verifyConsistency({ size1: 5, size2: 5, root1: roots[5], root2: roots[5], proof: [] }).ok).toBe(true);
      // Two different roots for one size is a fork, not growth.
      expect(verifyConsistency({ size1: 5, size2: 5, root1: roots[5], root2: roots[6], proof: [] })).toMatchObject({ code: 'consistency_root_mismatch' });
      // Nothing to prove, so nothing may be sent.
      expect(verifyConsistency({ size1: 5, size2: 5, root1: roots[5], root2: roots[5], proof: [roots[5]] })).toMatchObject({
        code: 'consistency_proof_wrong_length',
      });
    });
    it('size1 = 0: the empty tree is a prefix of every tree', () => {
      expect(verifyConsistency({ size1: 0, size2: 8, root1: EMPTY_ROOT, root2: roots[8], proof: [] }).ok).toBe(true);
      expect(verifyConsistency({ size1: 0, size2: 0, root1: EMPTY_ROOT, root2: EMPTY_ROOT, proof: [] }).ok).toBe(true);
      // No other root is the root of the empty tree.
      expect(verifyConsistency({ size1: 0, size2: 8, root1: roots[1], root2: roots[8], proof: [] })).toMatchObject({ code: 'consistency_root1_mismatch' });
      expect(verifyConsistency({ size1: 0, size2: 8, root1: EMPTY_ROOT, root2: roots[8], proof: [roots[8]] })).toMatchObject({
        code: 'consistency_proof_wrong_length',
      });
    });
  });
});

describe('generators reject programmer errors', () => {
  it('throws on out-of-range arguments', () => {
    expect(() => inclusionProof(leaves, 8)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, 0, 9)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 5, 4)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 1, 9)).toThrow(RangeError);
    expect(() => new MerkleTree(leaves).root(9)).toThrow(RangeError);
    expect(() => new MerkleTree().append(new Uint8Array(31))).toThrow(TypeError);
    expect(() => rootFromLeafHashes([new Uint8Array(31)])).toThrow(TypeError);
  });
});

describe('properties over random trees', () => {
  it('every inclusion proof in every tree of 1..64 leaves verifies, and the tree agrees with the free functions', () => {
    fc.assert(
      fc.property(fc.array(hashArb, { minLength: 64, maxLength: 64 }), (hashes) => {
        const tree = new MerkleTree(hashes);
        for (let n = 1; n <= 64; n++) {
          const root = rootFromLeafHashes(hashes.slice(0, n));
          expect(tree.root(n)).toEqual(root);
          for (let i = 0; i < n; i++) {
            const proof = inclusionProof(hashes, i, n);
            expect(tree.inclusionProof(i, n)).toEqual(proof);
            expect(verifyInclusion({ leafHash: hashes[i], index: i, size: n, proof, root })).toEqual({ ok: true });
          }
        }
      }),
      { numRuns: 3 },
    );
  });

  it('every consistency proof for 0 < m <= n <= 64 verifies', () => {
    fc.assert(
      fc.property(fc.array(hashArb, { minLength: 64, maxLength: 64 }), (hashes) => {
        const tree = new MerkleTree(hashes);
        const treeRoots = Array.from({ length: 65 }, (_, n) => tree.root(n));
        for (let n = 1; n <= 64; n++) {
          for (let m = 1; m <= n; m++) {
            const proof = consistencyProof(hashes, m, n);
            expect(tree.consistencyProof(m, n)).toEqual(proof);
            expect(verifyConsistency({ size1: m, size2: n, root1: treeRoots[m], root2: treeRoots[n], proof })).toEqual({ ok: true });
          }
        }
      }),
      { numRuns: 3 },
    );
  });

  // One tree of 64 random-looking leaves; the properties pick sizes, positions and bytes.
  const fixed = someLeaves(64, 1);
  const fixedTree = new MerkleTree(fixed);

  it('flipping any byte of any inclusion proof hash makes it fail', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 64 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.nat(), fc.nat(HASH_SIZE - 1), fc.integer({ min: 1, max: 255 }))),
        ([n, i, j, b, mask]) => {
          const proof = fixedTree.inclusionProof(i, n);
          const k = j % proof.length;
          proof[k] = flip(proof[k], b, mask);
          const r = verifyInclusion({ leafHash: fixed[i], index: i, size: n, proof, root: fixedTree.root(n) });
          expect(r).toMatchObject({ ok: false, code: 'inclusion_root_mismatch' });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('flipping any byte of any consistency proof hash makes it fail', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 64 })
          .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n - 1 }), fc.nat(), fc.nat(HASH_SIZE - 1), fc.integer({ min: 1, max: 255 }))),
        ([n, m, j, b, mask]) => {
          const proof = fixedTree.consistencyProof(m, n);
          const k = j % proof.length;
          proof[k] = flip(proof[k], b, mask);
          const r = verifyConsistency({ size1: m, size2: n, root1: fixedTree.root(m), root2: fixedTree.root(n), proof });
          expect(r.ok).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('exhaustively: every single-bit flip of every proof hash for sizes 1..16 fails', () => {
    for (let n = 1; n <= 16; n++) {
      for (let i = 0; i < n; i++) {
        const proof = fixedTree.inclusionProof(i, n);
        for (let k = 0; k < proof.length; k++) {
          for (let b = 0; b < HASH_SIZE; b++) {
            const bad = proof.slice();
            bad[k] = flip(proof[k], b, 0x80);
            expect(verifyInclusion({ leafHash: fixed[i], index: i, size: n, proof: bad, root: fixedTree.root(n) }).ok).toBe(false);
          }
        }
      }
      for (let m = 1; m < n; m++) {
        const proof = fixedTree.consistencyProof(m, n);
        for (let k = 0; k < proof.length; k++) {
          for (let b = 0; b < HASH_SIZE; b++) {
            const bad = proof.slice();
            bad[k] = flip(proof[k], b, 0x80);
            expect(verifyConsistency({ size1: m, size2: n, root1: fixedTree.root(m), root2: fixedTree.root(n), proof: bad }).ok).toBe(false);
          }
        }
      }
    }
  });

  it('MerkleTree grown leaf by leaf agrees with the free functions at every size', () => {
    fc.assert(
      fc.property(fc.array(hashArb, { minLength: 1, maxLength: 200 }), fc.nat(), fc.nat(), (hashes, a, b) => {
        const tree = new MerkleTree();
        hashes.forEach((h, i) => {
          expect(tree.append(h)).toBe(i);
          expect(tree.size).toBe(i + 1);
        });
        const n = 1 + (a % hashes.length);
        const i = b % n;
        const m = 1 + (b % n);
        expect(tree.root()).toEqual(rootFromLeafHashes(hashes));
        expect(tree.root(n)).toEqual(rootFromLeafHashes(hashes.slice(0, n)));
        expect(tree.inclusionProof(i, n)).toEqual(inclusionProof(hashes, i, n));
        expect(tree.consistencyProof(m, n)).toEqual(consistencyProof(hashes, m, n));
        expect(tree.leaf(i)).toEqual(hashes[i]);
      }),
      { numRuns: 200 },
    );
  });

  it('the tree keeps copies: mutating an appended hash or a returned root changes nothing', () => {
    const hashes = someLeaves(5, 2);
    const tree = new MerkleTree();
    const input = hashes[0].slice();
    tree.append(input);
    input[0] ^= 1;
    expect(tree.root()).toEqual(hashes[0]);
    tree.root()[0] ^= 1;
    expect(tree.root()).toEqual(hashes[0]);
  });

  it('handles tens of thousands of leaves', () => {
    const many = someLeaves(50_000, 3);
    const tree = new MerkleTree(many);
    expect(tree.root()).toEqual(rootFromLeafHashes(many));
    const proof = tree.inclusionProof(31_337);
    expect(proof).toHaveLength(16); // ceil(log2 50000)
    expect(verifyInclusion({ leafHash: many[31_337], index: 31_337, size: many.length, proof, root: tree.root() }).ok).toBe(true);
    const cproof = tree.consistencyProof(40_000);
    expect(verifyConsistency({ size1: 40_000, size2: 50_000, root1: tree.root(40_000), root2: tree.root(), proof: cproof }).ok).toBe(true);
  });
});
