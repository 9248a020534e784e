/**
 * The page side of the trustee worker: one worker per tab, started when the trustee page needs it,
 * with typed calls that resolve to the worker's answer or reject with a ProverFailure (the same
 * failure type as the prover's, so the pages describe both alike).
 */
import { ProverFailure } from '../prover/client.ts';
import type { TrusteeCallName, TrusteeCalls, TrusteeProgress, TrusteeRequest, TrusteeResponse } from './protocol.ts';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (p: TrusteeProgress) => void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function start(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./trustee.worker.ts', import.meta.url), { type: 'module', name: 'trustee' });
  w.addEventListener('message', (e: MessageEvent<TrusteeResponse>) => {
    const msg = e.data;
    const p = pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    pending.delete(msg.id);
    if (msg.type === 'result') p.resolve(msg.value);
    else p.reject(new ProverFailure(msg.code, msg.reason));
  });
  w.addEventListener('error', () => {
    for (const p of pending.values()) p.reject(new ProverFailure('trustee_failed', 'the trustee worker stopped'));
    pending.clear();
    worker = null;
  });
  worker = w;
  return w;
}

export function trustee<K extends TrusteeCallName>(call: K, input: TrusteeCalls[K]['in'], onProgress?: (p: TrusteeProgress) => void): Promise<TrusteeCalls[K]['out']> {
  const w = start();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
    w.postMessage({ id, call, input } as TrusteeRequest);
  });
}

/** Stop the worker: the trustee's key goes with it. */
export function closeTrustee(): void {
  worker?.terminate();
  worker = null;
  for (const p of pending.values()) p.reject(new ProverFailure('trustee_failed', 'closed'));
  pending.clear();
}
