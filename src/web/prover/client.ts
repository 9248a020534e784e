/**
 * The page side of the prover worker: one worker per tab, started on first use, with typed
 * calls that resolve to the worker's answer or reject with a ProverFailure carrying its code.
 */
import type { CallName, Progress, ProverCalls, WorkerRequest, WorkerResponse } from './protocol.ts';

export class ProverFailure extends Error {
  constructor(
    readonly code: string,
    reason: string,
  ) {
    super(reason);
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (p: Progress) => void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function start(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./prover.worker.ts', import.meta.url), { type: 'module', name: 'prover' });
  w.addEventListener('message', (e: MessageEvent<WorkerResponse>) => {
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
    for (const p of pending.values()) p.reject(new ProverFailure('prover_failed', 'the prover stopped'));
    pending.clear();
    worker = null;
  });
  worker = w;
  return w;
}

/** Start the worker ahead of need, so its code is loaded before the person clicks. */
export function warmUpProver(): void {
  start();
}

export function prove<K extends CallName>(call: K, input: ProverCalls[K]['in'], onProgress?: (p: Progress) => void): Promise<ProverCalls[K]['out']> {
  const w = start();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
    w.postMessage({ id, call, input } as WorkerRequest);
  });
}
