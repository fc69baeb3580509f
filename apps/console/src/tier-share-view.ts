import type { DataSource } from 'typeorm';
import { RunTierShare, tierShareByRun, tierShareByWindow, TierShareWindow } from '@loopwright/projections';
import { TierWindow, tierWindowFromCounts } from '@loopwright/report';

export interface FrontierTrend {
  /** Frontier share of the first and the latest window; null before any decision. */
  first: number | null;
  latest: number | null;
  /** latest − first, in share points (negative: falling, the goal). */
  change: number | null;
}

export interface TierShareView {
  windowSize: number;
  windows: TierShareWindow[];
  /** The same windows as the chart draws them. */
  chart: TierWindow[];
  trend: FrontierTrend;
  /** Per run, oldest first: its decisions by tier, frontier share and cost. */
  perRun: RunTierShare[];
}

/** About a dozen windows whatever the number of runs, so the trend reads at a glance; 25 runs at most per window. */
export function chooseWindowSize(runCount: number): number {
  return Math.min(25, Math.max(1, Math.ceil(runCount / 12)));
}

export function frontierTrend(windows: readonly TierShareWindow[]): FrontierTrend {
  const counted = windows.filter((w) => w.decisions > 0);
  if (counted.length === 0) return { first: null, latest: null, change: null };
  const first = counted[0].frontierShare;
  const latest = counted[counted.length - 1].frontierShare;
  return { first, latest, change: latest - first };
}

/** Tier share over runs (per window and per run) with the frontier share's trend. */
export async function tierShareView(db: DataSource, options: { windowSize?: number; runs?: number } = {}): Promise<TierShareView> {
  const perRun = await tierShareByRun(db, { limit: options.runs ?? 500 });
  const lastOrdinal = perRun.length === 0 ? 0 : perRun[perRun.length - 1].runOrdinal;
  const windowSize = options.windowSize ?? chooseWindowSize(lastOrdinal);
  const windows = await tierShareByWindow(db, windowSize);
  return { windowSize, windows, chart: windows.map((w) => tierWindowFromCounts(w)), trend: frontierTrend(windows), perRun };
}
