/**
 * The roster tree built bottom-up (src/core/roster/roster-tree.ts) is the LeanIMT the Semaphore circuit
 * reads: for every size and every pattern of empty (0) leaves it has the same levels, root, depth
 * and Merkle proofs as @zk-kit/lean-imt filled one leaf at a time (its `insert` hashes a 0 right
 * sibling, as the circuit does) and as @semaphore-protocol/group built the old way (placeholders,
 * then `removeMember`). And the server's incremental update of a cached tree (services/roster.ts,
 * `updateGroup`, through `instance.roster.current()`) gives the tree built from scratch.
 * The real-proof regression for zero leaves is in semaphore-records.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Group } from '@semaphore-protocol/group';
import { LeanIMT } from '@zk-kit/lean-imt';
import fc from 'fast-check';
import { poseidon2 } from 'poseidon-lite/poseidon2';
import { afterAll, describe, expect, it } from 'vitest';
import { poseidon2 as poseidon2Lean } from '../src/core/crypto/poseidon2.ts';
import { groupOfLeaves, leanTreeLevels, leanTreeRoot } from '../src/core/roster/roster-tree.ts';
import { PoseidonTree, buildPoseidonModule } from '../src/node/poseidon-wasm.ts';
import { groupOfLeavesParallel, rootOfLeavesParallel } from '../src/node/roster-tree-pool.ts';
import { rosterRef } from '../src/core/roster/roster.ts';
import { SNARK_FIELD } from '../src/core/crypto/semaphore.ts';
import { openOrInit } from '../src/server/open.ts';

const hash = (a: bigint, b: bigint) => poseidon2([a, b]);

/** LeanIMT filled leaf by leaf: `insert` hashes every existing sibling, 0 included. */
function referenceTree(leaves: bigint[]): LeanIMT<bigint> {
  const tree = new LeanIMT<bigint>(hash);
  for (const l of leaves) tree.insert(l);
  return tree;
}

/** The previous construction (roster.ts before the bottom-up build): placeholders, then removeMember. */
function placeholderGroup(leaves: bigint[]): Group {
  const group = new Group(leaves.map((l) => (l === 0n ? 1n : l)));
  leaves.forEach((l, i) => {
    if (l === 0n) group.removeMember(i);
  });
  return group;
}

/** Leaves: random field elements, each 0 with the given probability. */
const leavesArb = fc
  .record({ n: fc.integer({ min: 1, max: 130 }), zeroPercent: fc.integer({ min: 0, max: 100 }), seed: fc.integer() })
  .chain(({ n, zeroPercent }) =>
    fc.array(
      fc.tuple(fc.integer({ min: 0, max: 99 }), fc.bigInt({ min: 1n, max: SNARK_FIELD - 1n })).map(([p, v]) => (p < zeroPercent ? 0n : v)),
      { minLength: n, maxLength: n },
    ),
  );

describe('Poseidon of two field elements (src/core/crypto/poseidon2.ts)', () => {
  it('is poseidon-lite’s poseidon2, on random field elements and on 0, 1 and r − 1', () => {
    const edges = [0n, 1n, 2n, SNARK_FIELD - 1n];
    for (const a of edges) for (const b of edges) expect(poseidon2Lean(a, b)).toBe(poseidon2([a, b]));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: SNARK_FIELD - 1n }), fc.bigInt({ min: 0n, max: SNARK_FIELD - 1n }), (a, b) => {
        expect(poseidon2Lean(a, b)).toBe(poseidon2([a, b]));
      }),
      { numRuns: 300 },
    );
  });

  it('matches the circomlib test vector Poseidon([1, 2])', () => {
    // circomlibjs test/poseidon.js: poseidon([1, 2]).
    expect(poseidon2Lean(1n, 2n)).toBe(0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189an);
  });
});

describe('the roster tree built bottom-up', () => {
  it('equals lean-imt filled leaf by leaf, and the placeholder construction, for any size and zero leaves', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), (leaves, pick) => {
        const ours = groupOfLeaves(leaves);
        const ref = referenceTree(leaves);
        expect(ours.root).toBe(ref.root);
        expect(ours.depth).toBe(ref.depth);
        expect(ours.size).toBe(leaves.length);
        expect(ours.members).toEqual(leaves);
        // Every level, not only the root: Merkle proofs are read from them.
        expect(ours.leanIMT.export()).toBe(ref.export());
        const i = pick % leaves.length;
        const proof = ours.generateMerkleProof(i);
        expect(proof).toEqual(ref.generateProof(i));
        expect(LeanIMT.verifyProof(proof, hash)).toBe(true);
        if (leaves.some((l) => l !== 0n)) expect(ours.root).toBe(placeholderGroup(leaves).root);
      }),
      { numRuns: 80 },
    );
  });

  it('a tree with no zero leaf is the one Group builds in one call', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: SNARK_FIELD - 1n }), { minLength: 1, maxLength: 80 }), (leaves) => {
        expect(groupOfLeaves(leaves).root).toBe(new Group(leaves).root);
      }),
      { numRuns: 50 },
    );
  });

  it('hashes a zero right sibling (where insertMany would carry the left node up)', () => {
    const a = 12345n;
    expect(leanTreeLevels([a, 0n]).at(-1)).toEqual([hash(a, 0n)]);
    expect(new Group([a, 0n]).root).toBe(a); // the lean-imt quirk the bottom-up build avoids
    expect(groupOfLeaves([a, 0n]).root).toBe(hash(a, 0n));
  });

  it('carries a lone left node up unhashed, and a one-leaf tree is its leaf', () => {
    const [a, b, c] = [5n, 6n, 7n];
    expect(leanTreeLevels([a, b, c])).toEqual([[a, b, c], [hash(a, b), c], [hash(hash(a, b), c)]]);
    expect(groupOfLeaves([a]).root).toBe(a);
    expect(groupOfLeaves([a]).depth).toBe(0);
    expect(groupOfLeaves([]).root).toBe(new Group().root);
  });

  it('does not change the caller’s array', () => {
    const leaves = [1n, 0n, 3n];
    const levels = leanTreeLevels(leaves);
    levels[0][0] = 99n;
    expect(leaves).toEqual([1n, 0n, 3n]);
  });
});

describe('the roster tree built on several threads', () => {
  it('is the tree built in one thread, for block-aligned and ragged sizes, with zero leaves', async () => {
    const leaf = (i: number) => (i % 7 === 3 || i % 13 === 0 ? 0n : BigInt(i) * 1_000_003n + 17n);
    for (const [n, threads] of [[2, 2], [3, 2], [5, 3], [8, 2], [9, 2], [17, 4], [64, 3], [100, 2], [1000, 3], [1025, 2]] as const) {
      const leaves = Array.from({ length: n }, (_, i) => leaf(i));
      const parallel = await groupOfLeavesParallel(leaves, { threads, minLeaves: 1 });
      expect(parallel.leanIMT.export(), `${n} leaves on ${threads} threads`).toBe(groupOfLeaves(leaves).leanIMT.export());
      expect(await rootOfLeavesParallel(leaves, { threads, minLeaves: 1 }), `root of ${n} leaves on ${threads} threads`).toBe(parallel.root);
      expect(leanTreeRoot(leaves)).toBe(parallel.root);
    }
  }, 120_000);

  it('hashes in WebAssembly what poseidon2.ts hashes, edge values included', async () => {
    const r = SNARK_FIELD;
    const edge = [0n, 1n, 2n, r - 1n, r - 2n, 2n ** 128n, 2n ** 253n, r >> 1n];
    const random = Array.from({ length: 200 }, () => BigInt('0x' + randomBytes(32).toString('hex')) % r);
    const tree = new PoseidonTree(await buildPoseidonModule());
    for (const leaves of [edge, random, random.slice(0, 1), random.slice(0, 3), [], edge]) {
      expect(tree.levels(leaves)).toEqual(leaves.length ? leanTreeLevels(leaves) : [[]]);
      expect(tree.root(leaves)).toBe(leanTreeRoot(leaves));
    }
    expect(() => tree.root([r])).toThrow(/not a field element/);
    expect(() => tree.root([-1n])).toThrow(/not a field element/);
  });
});

describe('the server’s cached roster tree, updated in place', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('equals the tree built from scratch after enrollments, removals and replacements', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'undersigned-scale-tree-'));
    dirs.push(dir);
    const { instance } = await openOrInit({ dataDir: dir, name: 'Tree caucus', origin: 'test.invalid/tree' });
    const commitment = () => ((BigInt('0x' + randomBytes(32).toString('hex')) % (SNARK_FIELD - 1n)) + 1n).toString();
    const added = await instance.enrollment.addMembers(Array.from({ length: 23 }, (_, i) => ({ name: `Member ${i + 1}` })));
    const fromScratch = async () => {
      const { snapshot, ref, group } = await instance.roster.current();
      const r = rosterRef(snapshot);
      if (!r.ok) throw new Error(r.reason);
      expect(ref).toEqual(r.ref);
      expect(group.leanIMT.export()).toBe(r.group.leanIMT.export());
    };
    await instance.enrollment.enrollMany(added.slice(0, 9).map((m) => ({ code: m.code, commitment: commitment() })));
    await fromScratch(); // builds the cache
    await instance.enrollment.enroll(added[9].code, commitment()); // appended
    await fromScratch();
    await instance.enrollment.removeMember(added[3].id); // a leaf becomes 0 (a left node with a right sibling)
    await instance.enrollment.removeMember(added[9].id); // the last leaf becomes 0
    await fromScratch();
    for (const m of added.slice(10, 15)) await instance.enrollment.enroll(m.code, commitment()); // appended after zeros
    await fromScratch();
    const replace = await instance.enrollment.approveReplacement(added[4].id); // a replaced identity keeps its leaf
    await instance.enrollment.enroll(replace.code, commitment());
    await fromScratch();
    await instance.enrollment.enrollMany(added.slice(15).map((m) => ({ code: m.code, commitment: commitment() })));
    await fromScratch();
    await instance.db.destroy();
  });
});
