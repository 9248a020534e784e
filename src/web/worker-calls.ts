/**
 * Typed calls to a Web Worker, with progress reports on the way: the page side (`workerClient`)
 * and the worker side (`serveCalls`). The prover and the trustee workers both talk this way.
 */

/** A worker's calls (an interface of them): each with what it takes and what it answers. */
export type CallMap<C> = { [K in keyof C]: { in: unknown; out: unknown } };

export type CallRequest<C extends CallMap<C>> = { [K in keyof C & string]: { id: number; call: K; input: C[K]['in'] } }[keyof C & string];

export type CallResponse<P> =
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; code: string; reason: string }
  | { id: number; type: 'progress'; progress: P };

/** A refusal or failure reported by a worker, with its stable code (the pages turn codes into sentences). */
export class ProverFailure extends Error {
  constructor(
    readonly code: string,
    reason: string,
  ) {
    super(reason);
  }
}

interface Pending<P> {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (p: P) => void;
}

/**
 * One worker per tab, started by `make` on first use (or `start`); a call resolves to the worker's
 * answer or rejects with a ProverFailure. If the worker dies, every pending call fails with
 * `failedCode` and the next call starts a new worker.
 */
export function workerClient<C extends CallMap<C>, P>(make: () => Worker, failedCode: string, name: string) {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending<P>>();
  const failAll = (reason: string) => {
    for (const p of pending.values()) p.reject(new ProverFailure(failedCode, reason));
    pending.clear();
  };

  function start(): Worker {
    if (worker) return worker;
    const w = make();
    w.addEventListener('message', (e: MessageEvent<CallResponse<P>>) => {
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
      failAll(`the ${name} stopped`);
      worker = null;
    });
    worker = w;
    return w;
  }

  return {
    start: (): void => void start(),
    call<K extends keyof C & string>(call: K, input: C[K]['in'], onProgress?: (p: P) => void): Promise<C[K]['out']> {
      const w = start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
        w.postMessage({ id, call, input });
      });
    },
    /** Stop the worker (and forget whatever it held); pending calls fail. */
    terminate(): void {
      worker?.terminate();
      worker = null;
      failAll('closed');
    },
  };
}

export type Handlers<C extends CallMap<C>, P> = { [K in keyof C]: (input: C[K]['in'], progress: (p: P) => void) => Promise<C[K]['out']> };

/**
 * The worker side: one request at a time, in order (proofs are CPU-bound, and a queue keeps
 * progress reports in order). An error carrying a string `code` is a refusal with that code;
 * anything else is reported as `failedCode` with its message.
 */
export function serveCalls<C extends CallMap<C>, P>(handlers: Handlers<C, P>, failedCode: string): void {
  const scope = self as unknown as {
    postMessage(m: CallResponse<P>): void;
    addEventListener(type: 'message', listener: (e: MessageEvent<CallRequest<C>>) => void): void;
  };
  let queue: Promise<void> = Promise.resolve();
  scope.addEventListener('message', (e) => {
    const { id, call, input } = e.data;
    queue = queue.then(async () => {
      const progress = (p: P) => scope.postMessage({ id, type: 'progress', progress: p });
      try {
        const value = await handlers[call](input as never, progress);
        scope.postMessage({ id, type: 'result', value });
      } catch (error) {
        const coded = error as { code?: unknown; message?: unknown };
        if (typeof coded?.code === 'string') scope.postMessage({ id, type: 'error', code: coded.code, reason: String(coded.message ?? '') });
        else scope.postMessage({ id, type: 'error', code: failedCode, reason: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}
