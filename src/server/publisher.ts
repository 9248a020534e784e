/**
 * Delayed, shuffled publication (DESIGN §5, docs/threat-model.md §4.5). A member's signature,
 * withdrawal, proposal or vote is verified as soon as it arrives, then held until the end of the
 * current publication window; at the end of the window every submission held is appended to the
 * log in a random order (a Fisher–Yates shuffle driven by the system's CSPRNG), and each request
 * then gets its own receipt or refusal — in a second random order, drawn independently of the
 * first, each after a small random delay, so that the order in which the answers leave does not
 * repeat the order of the entries in the log.
 *
 * Someone who watches the network (who sent a request when) and the public log (when each entry
 * appeared, in which position) can then no longer pair a request with its entry inside a window:
 * every request of the window is equally likely to be any of its entries. Answering in the log's
 * order would undo this for anyone who also sees the responses (a proxy's access log, the uplink):
 * the k-th answer would belong to the k-th entry. The answer order is therefore a permutation of
 * its own, and the answers are spread over up to `maxAnswerDelayMs` (sorted uniform delays
 * assigned in that order, so the spread does not grow with the window's size and timers that
 * fire together still fire in the answer order, never in the log order). With little traffic a
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
  /**
   * The answers of a window are spread over a random delay of 0 to this many milliseconds each
   * (default 25: small next to a window of seconds, large next to the time the server takes to
   * send one answer). 0 answers at once, still in the independent random order.
   */
  maxAnswerDelayMs?: number;
}

/** Default spread of a window's answers, in milliseconds (PublisherOptions.maxAnswerDelayMs). */
export const DEFAULT_MAX_ANSWER_DELAY_MS = 25;

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

/**
 * When to answer each of n requests: a permutation of 0..n−1 (the order of the answers, drawn
 * independently of the log order) and, for the k-th answer, its delay in whole milliseconds in
 * [0, maxDelayMs], non-decreasing in k (n uniform draws, sorted).
 */
export function answerSchedule(n: number, maxDelayMs: number, randomBytes: (k: number) => Uint8Array): { order: number[]; delaysMs: number[] } {
  const order = shuffle(
    Array.from({ length: n }, (_, i) => i),
    randomBytes,
  );
  const delaysMs = Array.from({ length: n }, () => (maxDelayMs === 0 ? 0 : uniformBelow(maxDelayMs + 1, randomBytes))).sort((a, b) => a - b);
  return { order, delaysMs };
}

export class Publisher<D> {
  private held: Job<D>[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** Windows whose answers are still being sent (close waits for them). */
  private answering = new Set<Promise<void>>();
  private readonly maxAnswerDelayMs: number;

  constructor(private readonly options: PublisherOptions<D>) {
    if (!Number.isFinite(options.windowMs) || options.windowMs < 0) throw new RangeError('the publication window must be 0 or more milliseconds');
    this.maxAnswerDelayMs = options.maxAnswerDelayMs ?? DEFAULT_MAX_ANSWER_DELAY_MS;
    if (!Number.isInteger(this.maxAnswerDelayMs) || this.maxAnswerDelayMs < 0 || this.maxAnswerDelayMs > 10_000) {
      throw new RangeError('the answer delay must be a whole number of milliseconds from 0 to 10000');
    }
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
        settled = batch.map(() => ({ ok: false, error }));
      }
      // The next window need not wait for this one's answers: only its appends come in order.
      const answered = this.answer(batch, settled);
      this.answering.add(answered);
      void answered.finally(() => this.answering.delete(answered));
    });
    return this.flushing;
  }

  /** Answer a window's requests (batch[i] went as settled[i]) in the schedule's order and delays. */
  private answer(batch: Job<D>[], settled: Settled[]): Promise<void> {
    const settle = (i: number) => {
      const r = settled[i];
      if (r.ok) batch[i].resolve(r.value);
      else batch[i].reject(r.error);
    };
    const { order, delaysMs } = answerSchedule(batch.length, this.maxAnswerDelayMs, this.options.randomBytes);
    if (this.maxAnswerDelayMs === 0) {
      for (const i of order) settle(i);
      return Promise.resolve();
    }
    // Timers of equal delay fire in the order they were set: here, the answer order.
    return Promise.all(order.map((i, k) => new Promise<void>((done) => setTimeout(() => (settle(i), done()), delaysMs[k])))).then(() => {});
  }

  /** Publish what is held, and wait until every request has its answer. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all([...this.answering]);
  }
}
