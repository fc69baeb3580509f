/** One measurement of one path: how many events, bytes and seconds. */
export interface Measured {
  events: number;
  bytes: number;
  seconds: number;
}

export interface PathFigures {
  /** The round with the median rate. */
  median: Measured & { perSecond: number };
  /** Every round's rate, in the order they ran. */
  rounds: number[];
}

/**
 * Runs every path once per round, the paths interleaved within each round, so that a warmer
 * cache, JIT or a burst of other work on the machine does not favour one path; returns each
 * path's median round.
 */
export async function interleavedRounds(
  rounds: number,
  paths: Record<string, (round: number) => Promise<Measured>>,
): Promise<Map<string, PathFigures>> {
  const runs = new Map<string, (Measured & { perSecond: number })[]>(Object.keys(paths).map((p) => [p, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const [name, run] of Object.entries(paths)) {
      const m = await run(round);
      runs.get(name)!.push({ ...m, perSecond: m.events / m.seconds });
    }
  }
  const figures = new Map<string, PathFigures>();
  for (const [name, measured] of runs) {
    const sorted = [...measured].sort((a, b) => a.perSecond - b.perSecond);
    figures.set(name, { median: sorted[Math.floor((sorted.length - 1) / 2)], rounds: measured.map((m) => Math.round(m.perSecond)) });
  }
  return figures;
}
