/**
 * The roster's Semaphore group built on every core, off the main thread (a server must keep
 * answering while a 100,000-leaf tree is hashed: ~100,000 Poseidon hashes, tens of seconds with
 * poseidon-lite).
 *
 * The leaves are cut into `threads` blocks of 2^k leaves (the last one shorter), aligned on 2^k:
 * in a LeanIMT the nodes of levels 0..k above such a block depend on that block alone, a block of
 * 2^k leaves is a complete subtree, and the last block's top node, if it has fewer levels, is a
 * lone left node carried up unchanged, which is what the whole tree does too. Each block's levels
 * are hashed in a worker (leanTreeLevels, src/core/roster-tree.ts), the levels above k here, and
 * the result is exactly groupOfLeaves(leaves) (test/scale-roster-tree.test.ts checks it).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Group } from '@semaphore-protocol/group';
import { groupOfLeaves, groupOfLevels, leanTreeLevels } from '../core/roster-tree.ts';

/** Below this many leaves the threads' start (a few hundred ms) costs more than it saves. */
export const PARALLEL_TREE_THRESHOLD = 8192;

const workerEntry = new URL('./roster-tree-worker.mjs', import.meta.url);

function levelsInWorker(block: bigint[]): Promise<bigint[][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerEntry, { workerData: block, execArgv: [] });
    let answered = false;
    worker.once('message', (levels: bigint[][]) => {
      answered = true;
      resolve(levels);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`roster tree: a worker exited (${code}) without an answer`));
    });
  });
}

export interface ParallelTreeOptions {
  /** Worker threads; default: the number of cores. */
  threads?: number;
  /** Fewer leaves are hashed in this thread; default PARALLEL_TREE_THRESHOLD. */
  minLeaves?: number;
}

export async function groupOfLeavesParallel(leaves: readonly bigint[], options: ParallelTreeOptions = {}): Promise<Group> {
  const threads = options.threads ?? availableParallelism();
  if (threads < 2 || leaves.length < (options.minLeaves ?? PARALLEL_TREE_THRESHOLD) || leaves.length < 2) return groupOfLeaves(leaves);
  const k = Math.ceil(Math.log2(Math.ceil(leaves.length / threads)));
  const size = 2 ** k;
  const blocks: bigint[][] = [];
  for (let at = 0; at < leaves.length; at += size) blocks.push(leaves.slice(at, at + size));
  const perBlock = await Promise.all(blocks.map(levelsInWorker));
  // Levels 0..k: the blocks' levels side by side; a short last block's top node carried up.
  const levels: bigint[][] = [];
  for (let l = 0; l <= k; l++) levels.push(perBlock.flatMap((b) => b[Math.min(l, b.length - 1)]));
  // Above k: the tree of the blocks' tops (its first level is level k itself).
  levels.push(...leanTreeLevels(levels[k]).slice(1));
  return groupOfLevels(levels);
}
