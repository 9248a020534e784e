/**
 * The page side of the prover worker: one worker per tab, started on first use, with typed
 * calls that resolve to the worker's answer or reject with a ProverFailure carrying its code.
 */
import { ProverFailure, workerClient } from '../worker-calls.ts';
import type { Progress, ProverCalls } from './protocol.ts';

export { ProverFailure };

const prover = workerClient<ProverCalls, Progress>(() => new Worker(new URL('./prover.worker.ts', import.meta.url), { type: 'module', name: 'prover' }), 'prover_failed', 'prover');

/** Start the worker ahead of need, so its code is loaded before the person clicks. */
export function warmUpProver(): void {
  prover.start();
}

export const prove = prover.call;
