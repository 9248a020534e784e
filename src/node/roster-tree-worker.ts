/**
 * A thread of roster-tree-pool.ts. It instantiates the Poseidon module it is given (or, the first
 * in a process, builds it and sends it back for the others), then, for each aligned block of leaves
 * it is sent, answers the block's LeanIMT levels or only its top node (poseidon-wasm.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PoseidonTree, buildPoseidonModule } from './poseidon-wasm.ts';

export type TreeWorkerRequest = { block: bigint[]; keep: 'levels' | 'root' };
export type TreeWorkerReply = { module: WebAssembly.Module } | { answer: bigint | bigint[][] };

const port = parentPort;
if (!port) throw new Error('roster-tree-worker.ts runs as a worker thread of roster-tree-pool.ts');
const given = (workerData as { module?: WebAssembly.Module } | undefined)?.module;
const module = given ?? (await buildPoseidonModule());
if (!given) port.postMessage({ module } satisfies TreeWorkerReply);
const tree = new PoseidonTree(module);
port.on('message', ({ block, keep }: TreeWorkerRequest) => port.postMessage({ answer: keep === 'root' ? tree.root(block) : tree.levels(block) } satisfies TreeWorkerReply));
