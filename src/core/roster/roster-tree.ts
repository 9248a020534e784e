/**
 * The roster's Semaphore group (a LeanIMT of Poseidon hashes), built bottom-up in one pass.
 *
 * LeanIMT (https://github.com/privacy-scaling-explorations/zk-kit, lean-imt) as the Semaphore v4
 * circuit reads it: level 0 holds the leaves; a node with a right sibling becomes
 * Poseidon(left, right), and a lone left node (the last of an odd-sized level) is carried up
 * unchanged; the root is the single node at the top (a tree of one leaf is that leaf). A removed
 * or empty leaf is the value 0 and is hashed like any other value (docs/protocol.md §3.2).
 *
 * Why not `new Group(leaves)`: @zk-kit/lean-imt's insertMany tests a right sibling by truthiness,
 * so it carries a left node up over a 0 sibling, which its own `update` and the circuit hash. The
 * workaround (insert a placeholder for each 0, then `removeMember` it) costs a path of 17 hashes
 * plus a copy of the whole leaf array per removal: tens of seconds for 100,000 leaves. Here each
 * node is hashed once: n − 1 hashes for n leaves, with a leaner Poseidon than poseidon-lite's
 * (poseidon2.ts, the same function).
 */
import { Group } from '@semaphore-protocol/group';
import { poseidon2 } from '../crypto/poseidon2.ts';

/** The level above `below`. */
function levelAbove(below: readonly bigint[]): bigint[] {
  const up: bigint[] = new Array(Math.ceil(below.length / 2));
  for (let i = 0; i < up.length; i++) {
    const right = 2 * i + 1;
    // 1. A node with a right sibling is the hash of the two, whatever their values (0 included).
    // 2. A lone left node is carried up unhashed.
    up[i] = right < below.length ? poseidon2(below[2 * i], below[right]) : below[2 * i];
  }
  return up;
}

/** Every level of the tree, leaves first, root last (one level, the leaf itself, for one leaf). */
export function leanTreeLevels(leaves: readonly bigint[]): bigint[][] {
  const levels: bigint[][] = [leaves.slice()];
  while (levels[levels.length - 1].length > 1) levels.push(levelAbove(levels[levels.length - 1]));
  return levels;
}

/** The root alone (what a verifier compares), keeping one level at a time; 0 for no leaves, as Group says. */
export function leanTreeRoot(leaves: readonly bigint[]): bigint {
  if (leaves.length === 0) return 0n;
  let level = leaves;
  while (level.length > 1) level = levelAbove(level);
  return level[0];
}

/**
 * The Semaphore group of these leaves (0 for an empty or removed leaf), without hashing anything
 * twice. The levels are handed to Group.import, the library's own way to load a computed tree.
 */
export function groupOfLeaves(leaves: readonly bigint[]): Group {
  if (leaves.length === 0) return new Group();
  return groupOfLevels(leanTreeLevels(leaves));
}

/** The group of levels computed as leanTreeLevels computes them (src/node/roster-tree-pool.ts). */
export function groupOfLevels(levels: bigint[][]): Group {
  if (levels.length === 0 || levels[0].length === 0) return new Group();
  return Group.import(JSON.stringify(levels, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
}
