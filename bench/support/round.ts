/** Rounds to a number of decimals, for figures in tables and result files. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
