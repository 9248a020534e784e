/**
 * A one-off thread of roster-tree-pool.ts: the LeanIMT levels of one aligned block of leaves.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { leanTreeLevels } from '../core/roster-tree.ts';

if (!parentPort) throw new Error('roster-tree-worker.ts runs as a worker thread of roster-tree-pool.ts');
parentPort.postMessage(leanTreeLevels(workerData as bigint[]));
