/** Order statistics over timing samples (milliseconds). Nearest-rank percentiles, no interpolation. */
export interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * n) - 1)];
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { n, median, p90: rank(0.9), min: sorted[0], max: sorted[n - 1], mean: sorted.reduce((s, x) => s + x, 0) / n };
}

/** Time one async call in milliseconds, returning its value too. */
export async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await f();
  return { ms: performance.now() - start, value };
}
