/** Latency figures of one series, in the series' unit. */
export interface Percentiles {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const asArray = Array.from(sorted);
  const sum = asArray.reduce((a, b) => a + b, 0);
  return {
    count: asArray.length,
    min: asArray.length ? asArray[0] : NaN,
    mean: asArray.length ? sum / asArray.length : NaN,
    p50: percentile(asArray, 50),
    p90: percentile(asArray, 90),
    p99: percentile(asArray, 99),
    max: asArray.length ? asArray[asArray.length - 1] : NaN,
  };
}
