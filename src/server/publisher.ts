/**
 * Delayed, shuffled publication (DESIGN §5, docs/threat-model.md §4.5). A member's signature,
 * withdrawal, proposal or vote is verified as soon as it arrives, then held until the end of the
 * current publication window; at the end of the window every submission held is appended to the
 * log in a random order (a Fisher–Yates shuffle driven by the system's CSPRNG), and each request
 * then gets its own receipt or refusal.
 *
 * Someone who watches the network (who sent a request when) and the public log (when each entry
 * appeared, in which position) can then no longer pair a request with its entry inside a window:
 * every request of the window is equally likely to be any of its entries. With little traffic a
 * window holds few submissions, so the protection grows with the window and the traffic; the
 * window is the price in waiting time (the request stays open until its entry is in the log).
 *
 * A window's submissions are appended in ONE database transaction (`runBatch`: a savepoint per
 * submission, so a refused one leaves the others alone), which costs one disk sync instead of
 * one per submission. A window of 0 publishes as soon as the current burst of checks is over
 * (the next turn of the event loop): at once, but several submissions checked together still go
 * in together.
 */

export type Settled<T = unknown> = { ok: true; value: T } | { ok: false; error: unknown };

export interface PublisherOptions<D> {
  /** Length of a publication window in milliseconds (0: publish at once). */
  windowMs: number;
  /** n random bytes (crypto.randomBytes in the server). */
  randomBytes: (n: number) => Uint8Array;
  /** Run these appends in order in one transaction, each on its own (a savepoint): how each went. */
  runBatch: (appends: ((db: D) => Promise<unknown>)[]) => Promise<Settled[]>;
}

interface Job<D> {
  run: (db: D) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A uniform integer in [0, n) from random bytes, by rejection (no modulo bias). */
export function uniformBelow(n: number, randomBytes: (k: number) => Uint8Array): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`uniformBelow: n = ${n}`);
  const limit = 2 ** 32 - (2 ** 32 % n);
  for (;;) {
    const b = randomBytes(4);
    const x = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    if (x < limit) return x % n;
  }
}

/** Fisher–Yates, in place. */
export function shuffle<T>(list: T[], randomBytes: (k: number) => Uint8Array): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = uniformBelow(i + 1, randomBytes);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

export class Publisher<D> {
  private held: Job<D>[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: PublisherOptions<D>) {
    if (!Number.isFinite(options.windowMs) || options.windowMs < 0) throw new RangeError('the publication window must be 0 or more milliseconds');
  }

  get windowMs(): number {
    return this.options.windowMs;
  }

  /** How many submissions wait for the end of the current window. */
  get waiting(): number {
    return this.held.length;
  }

  /** Run `append` (a submission's writes, given the transaction) at the end of the current window. */
  publish<T>(append: (db: D) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.held.push({ run: append, resolve: resolve as (v: unknown) => void, reject });
      // The window starts with its first submission; the next one starts with the next submission.
      this.timer ??= setTimeout(() => void this.flush(), this.options.windowMs);
    });
  }

  /** Publish everything held now (the end of a window, a close, the server stopping). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = shuffle(this.held.splice(0), this.options.randomBytes);
    // Windows publish one after the other, never interleaved.
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      let settled: Settled[];
      try {
        settled = await this.options.runBatch(batch.map((j) => j.run));
      } catch (error) {
        for (const job of batch) job.reject(error);
        return;
      }
      batch.forEach((job, i) => {
        const r = settled[i];
        if (r.ok) job.resolve(r.value);
        else job.reject(r.error);
      });
    });
    return this.flushing;
  }

  /** Publish what is held (those requests still get their answers). */
  async close(): Promise<void> {
    await this.flush();
  }
}
