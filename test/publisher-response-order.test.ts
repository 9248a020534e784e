/**
 * Response order (issue 13, item 6; src/server/publisher.ts; docs/threat-model.md §4.5): a
 * publication window appends its submissions in a random order and must not answer them in that
 * same order, or whoever sees the responses leave (a proxy's access log, the uplink) pairs each
 * request with its log position. The publisher answers in a second, independent permutation.
 *
 * The measure is Spearman's rank correlation ρ between a request's log position and its place
 * among the window's answers, averaged over many windows, with the real Publisher, a stand-in
 * runBatch and the system's CSPRNG.
 *
 * Why the bound is not flaky: under independence (answer order a uniform permutation independent
 * of the log order), ρ over n items has mean 0 and variance exactly 1/(n − 1) (Kendall & Stuart;
 * it is the variance of Σ(i − ī)(π(i) − ī) / Σ(i − ī)² over uniform permutations π). The mean of W
 * independent windows then has standard deviation σ = 1/√(W(n − 1)); with n = 12 and W = 1000,
 * σ = 1/√11000 ≈ 0.0095, and the per-window ρ is bounded in [−1, 1], so the central limit theorem
 * holds well at W = 1000. The bound |mean ρ| < 0.06 is 6.3 σ: a false alarm has probability about
 * 3·10⁻¹⁰. Answering in log order (the old publisher) gives ρ = 1 in every window, 100 σ away; and
 * an answer order that keeps even a quarter of its pairs in log order (mean ρ ≈ 0.25) is caught.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAX_ANSWER_DELAY_MS, Publisher, type Settled, answerSchedule } from '../src/server/publisher.ts';

const csprng = (n: number) => new Uint8Array(randomBytes(n));

/** Spearman's ρ of two rankings of the same n items (no ties): 1 − 6Σd² / (n(n² − 1)). */
function spearman(a: number[], b: number[]): number {
  const n = a.length;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += (a[i] - b[i]) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

/**
 * One window of n submissions through the real publisher: for each submission, its position in
 * the log (the order runBatch ran it) and its place among the answers (the order its promise
 * settled, seen by a callback on each one).
 */
async function window(n: number): Promise<{ logPosition: number[]; answerRank: number[] }> {
  const logPosition = new Array<number>(n);
  const answerRank = new Array<number>(n);
  let appended = 0;
  let answered = 0;
  const runBatch = async (appends: ((db: null) => Promise<unknown>)[]): Promise<Settled[]> => {
    const out: Settled[] = [];
    for (const a of appends) out.push({ ok: true, value: await a(null) });
    return out;
  };
  const p = new Publisher<null>({ windowMs: 60_000, randomBytes: csprng, runBatch, maxAnswerDelayMs: 0 });
  const done = Array.from({ length: n }, (_, s) =>
    p
      .publish(async () => {
        logPosition[s] = appended++;
      })
      .then(() => {
        answerRank[s] = answered++;
      }),
  );
  await p.flush();
  await Promise.all(done);
  return { logPosition, answerRank };
}

const N = 12;
const WINDOWS = 1000;
const BOUND = 0.06; // 6.3 σ for σ = 1/√(WINDOWS·(N − 1)) ≈ 0.0095 (header)

describe('a window answers in an order independent of its log order', () => {
  it('the rank correlation between log position and answer order stays near 0 over many windows; answering in log order gives 1', async () => {
    let sumNow = 0;
    let sumOld = 0;
    for (let w = 0; w < WINDOWS; w++) {
      const { logPosition, answerRank } = await window(N);
      // Every submission was appended once and answered once.
      expect([...logPosition].sort((a, b) => a - b)).toEqual([...Array(N).keys()]);
      expect([...answerRank].sort((a, b) => a - b)).toEqual([...Array(N).keys()]);
      sumNow += spearman(logPosition, answerRank);
      // The old publisher answered each request as its entry was appended: answer rank = log position.
      sumOld += spearman(logPosition, logPosition);
    }
    expect(BOUND).toBeCloseTo(6.3 / Math.sqrt(WINDOWS * (N - 1)), 2);
    expect(Math.abs(sumNow / WINDOWS)).toBeLessThan(BOUND);
    expect(sumOld / WINDOWS).toBe(1);
  });

  it('the measure can tell: an answer order that keeps a quarter of the log order is outside the bound', () => {
    // The answer order is the log order for a random quarter of the windows and independent for the
    // rest: mean ρ ≈ 0.25, far outside 0.06 (a check that the bound is not too loose to mean anything).
    let sum = 0;
    for (let w = 0; w < WINDOWS; w++) {
      const log = [...Array(N).keys()];
      const { order } = answerSchedule(N, 0, csprng);
      const leaky = csprng(1)[0] < 64;
      const rank = new Array<number>(N);
      order.forEach((i, k) => (rank[i] = k));
      sum += spearman(log, leaky ? log : rank);
    }
    expect(sum / WINDOWS).toBeGreaterThan(BOUND);
  });

  it('the answer order is a uniform permutation: every order of 3 answers appears about equally often', () => {
    // 6000 schedules of 3: each of the 6 orders expects 1000, σ = √(6000·(1/6)(5/6)) ≈ 29; ±200 is 7 σ.
    const counts = new Map<string, number>();
    for (let t = 0; t < 6000; t++) {
      const key = answerSchedule(3, 0, csprng).order.join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(200);
  });
});

describe('answer delays', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are sorted draws in [0, max], one per answer, and 0 when the maximum is 0', () => {
    for (let t = 0; t < 200; t++) {
      const { order, delaysMs } = answerSchedule(20, 30, csprng);
      expect([...order].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
      expect(delaysMs).toEqual([...delaysMs].sort((a, b) => a - b));
      for (const d of delaysMs) expect(Number.isInteger(d) && d >= 0 && d <= 30).toBe(true);
    }
    expect(answerSchedule(5, 0, csprng).delaysMs).toEqual([0, 0, 0, 0, 0]);
  });

  it('a window answers nothing before its appends, everything within the maximum delay after, and close waits for the answers', async () => {
    vi.useFakeTimers();
    const runBatch = async (appends: ((db: null) => Promise<unknown>)[]): Promise<Settled[]> => Promise.all(appends.map(async (a) => ({ ok: true as const, value: await a(null) })));
    const p = new Publisher<null>({ windowMs: 1000, randomBytes: csprng, runBatch, maxAnswerDelayMs: 40 });
    const answered: number[] = [];
    const all = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => p.publish(async () => i).then((v) => answered.push(v)));
    await vi.advanceTimersByTimeAsync(999);
    expect(answered).toEqual([]);
    await vi.advanceTimersByTimeAsync(1); // the window ends: appended, answers scheduled
    await vi.advanceTimersByTimeAsync(40);
    expect([...answered].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await Promise.all(all);

    const q = new Publisher<null>({ windowMs: 60_000, randomBytes: csprng, runBatch, maxAnswerDelayMs: 40 });
    let got = false;
    void q.publish(async () => 1).then(() => (got = true));
    const closing = q.close();
    await vi.advanceTimersByTimeAsync(40);
    await closing;
    expect(got).toBe(true);
  });

  it('the default is a few tens of milliseconds, and bad values are refused', () => {
    expect(DEFAULT_MAX_ANSWER_DELAY_MS).toBeGreaterThan(0);
    expect(DEFAULT_MAX_ANSWER_DELAY_MS).toBeLessThanOrEqual(50);
    const base = { windowMs: 0, randomBytes: csprng, runBatch: async () => [] };
    expect(() => new Publisher<null>({ ...base, maxAnswerDelayMs: -1 })).toThrow(RangeError);
    expect(() => new Publisher<null>({ ...base, maxAnswerDelayMs: 1.5 })).toThrow(RangeError);
  });
});
