/**
 * The page side of the trustee worker: one worker per tab, started when the trustee page needs it,
 * with typed calls that resolve to the worker's answer or reject with a ProverFailure (the same
 * failure type as the prover's, so the pages describe both alike).
 */
import { workerClient } from '../worker-calls.ts';
import type { TrusteeCalls, TrusteeProgress } from './protocol.ts';

const worker = workerClient<TrusteeCalls, TrusteeProgress>(() => new Worker(new URL('./trustee.worker.ts', import.meta.url), { type: 'module', name: 'trustee' }), 'trustee_failed', 'trustee worker');

export const trustee = worker.call;

/** Stop the worker: the trustee's key goes with it. */
export const closeTrustee = worker.terminate;
