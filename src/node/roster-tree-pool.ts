/**
 * The roster's Semaphore group built on every core, off the main thread (a server must keep
 * answering while a 100,000-leaf tree is hashed: ~100,000 Poseidon hashes, ~20 s in BigInt
 * JavaScript on one core of this project's machine, ~3.5 s on two with poseidon-wasm.ts).
 *
 * The leaves are cut into blocks of 2^k leaves (the last one shorter), aligned on 2^k, a few per
 * thread:
 * in a LeanIMT the nodes of levels 0..k above such a block depend on that block alone, a block of
 * 2^k leaves is a complete subtree, and the last block's top node, if it has fewer levels, is a
 * lone left node carried up unchanged, which is what the whole tree does too. Each block's levels
 * are hashed in a worker (Poseidon in WebAssembly, poseidon-wasm.ts), the levels above k here, and
 * the result is exactly groupOfLeaves(leaves) (test/scale-roster-tree.test.ts checks it).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Group } from '@semaphore-protocol/group';
import { groupOfLeaves, groupOfLevels, leanTreeLevels, leanTreeRoot } from '../core/roster/roster-tree.ts';
import type { TreeWorkerReply, TreeWorkerRequest } from './roster-tree-worker.ts';

/** Below this many leaves the threads' start (a few hundred ms) costs more than it saves. */
export const PARALLEL_TREE_THRESHOLD = 8192;

const workerEntry = new URL('./roster-tree-worker.mjs', import.meta.url);

/** The compiled Poseidon module, once the first worker of this process has built it. */
let compiled: WebAssembly.Module | undefined;

/** Each block's levels (or its top node), hashed on `threads` workers that take the next block when they finish one. */
async function inWorkers<T>(blocks: readonly bigint[][], keep: 'levels' | 'root', threads: number): Promise<T[]> {
  const out: T[] = new Array(blocks.length);
  const workers: Worker[] = [];
  let next = 0;
  const run = (module: WebAssembly.Module | undefined, onModule?: (m: WebAssembly.Module) => void) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(workerEntry, { execArgv: [], workerData: { module } });
      workers.push(worker);
      let current = -1;
      let finished = false;
      const feed = () => {
        if (next >= blocks.length) {
          finished = true;
          resolve();
          return;
        }
        current = next++;
        worker.postMessage({ block: blocks[current], keep } satisfies TreeWorkerRequest);
      };
      worker.on('message', (reply: TreeWorkerReply) => {
        if ('module' in reply) {
          onModule?.(reply.module);
          return;
        }
        out[current] = reply.answer as T;
        feed();
      });
      worker.once('error', reject);
      worker.once('messageerror', reject);
      worker.once('exit', (code) => {
        if (!finished) reject(new Error(`roster tree: a worker exited (${code}) before its blocks were hashed`));
      });
      feed();
    });
  try {
    const count = Math.min(threads, blocks.length);
    if (compiled) {
      await Promise.all(Array.from({ length: count }, () => run(compiled)));
    } else {
      // The first worker builds the module (~1 s); the others start when it hands it over.
      const others: Promise<void>[] = [];
      await run(undefined, (m) => {
        compiled = m;
        for (let i = 1; i < count; i++) {
          const other = run(m);
          other.catch(() => {}); // awaited below; a failure while the first still runs must not go unhandled
          others.push(other);
        }
      });
      await Promise.all(others);
    }
    return out;
  } finally {
    for (const w of workers) void w.terminate();
  }
}

/** Blocks per thread: enough that the last, short block does not leave a thread idle for long. */
const BLOCKS_PER_THREAD = 4;

export interface ParallelTreeOptions {
  /** Worker threads; default: the number of cores. With 1, the tree is still hashed off this thread, in one worker. */
  threads?: number;
  /** Fewer leaves are hashed in this thread; default PARALLEL_TREE_THRESHOLD. */
  minLeaves?: number;
}

/**
 * Blocks of 2^k leaves, about BLOCKS_PER_THREAD per thread (one block per thread would leave a
 * thread idle while another hashes a much longer one: 100,000 leaves are 65,536 + 34,464).
 */
function blocksOf(leaves: readonly bigint[], threads: number): { k: number; blocks: bigint[][] } {
  const k = Math.max(0, Math.floor(Math.log2(leaves.length / (threads * BLOCKS_PER_THREAD))));
  const blocks: bigint[][] = [];
  for (let at = 0; at < leaves.length; at += 2 ** k) blocks.push(leaves.slice(at, at + 2 ** k));
  return { k, blocks };
}

const threadsOf = (options: ParallelTreeOptions) => Math.max(1, options.threads ?? availableParallelism());
const inThisThread = (leaves: readonly bigint[], options: ParallelTreeOptions) => leaves.length < (options.minLeaves ?? PARALLEL_TREE_THRESHOLD) || leaves.length < 2;

/** The whole tree, as groupOfLeaves builds it (the server keeps it to hand out inclusion paths). */
export async function groupOfLeavesParallel(leaves: readonly bigint[], options: ParallelTreeOptions = {}): Promise<Group> {
  if (inThisThread(leaves, options)) return groupOfLeaves(leaves);
  const { k, blocks } = blocksOf(leaves, threadsOf(options));
  const perBlock = await inWorkers<bigint[][]>(blocks, 'levels', threadsOf(options));
  // Levels 0..k: the blocks' levels side by side; a short last block's top node carried up.
  const levels: bigint[][] = [];
  for (let l = 0; l <= k; l++) levels.push(perBlock.flatMap((b) => b[Math.min(l, b.length - 1)]));
  // Above k: the tree of the blocks' tops (its first level is level k itself).
  levels.push(...leanTreeLevels(levels[k]).slice(1));
  return groupOfLevels(levels);
}

/** The root alone, as leanTreeRoot computes it (a verifier's RootBuilder): each block's top, then the tree of the tops. */
export async function rootOfLeavesParallel(leaves: readonly bigint[], options: ParallelTreeOptions = {}): Promise<bigint> {
  if (inThisThread(leaves, options)) return leanTreeRoot(leaves);
  const { blocks } = blocksOf(leaves, threadsOf(options));
  return leanTreeRoot(await inWorkers<bigint>(blocks, 'root', threadsOf(options)));
}
