import type { LoopEvent } from '@loopwright/events';

/** Tier shares and cost of one window of runs, in the order the runs were submitted. */
export interface TierWindow {
  /** e.g. "1-25" */
  runs: string;
  decisions: number;
  frontierShare: number;
  residentShare: number;
  deterministicShare: number;
  humanShare: number;
  /** Model cost of the window's decisions, per run. */
  costUsd: number;
  /**
   * What the frontier's spot-checks of retired keys cost on top, per run (where the log tells them
   * apart). In a held-out window every retired decision is asked in shadow: the measurement's cost.
   */
  spotCheckCostUsd?: number;
}

export interface TierCounts {
  frontier: number;
  resident: number;
  deterministic: number;
  human: number;
  costUsd: number;
  spotCheckCostUsd: number;
}

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Folds the log into tier counts per window of `windowSize` runs (by the order of their
 * goal.submitted). Shadow decisions (spot-checks) are not counted as decisions, they are checks;
 * what they cost is counted apart from what the decisions cost.
 */
export function tierWindows(events: Iterable<LoopEvent>, windowSize: number, filter: (key: string) => boolean = () => true): TierWindow[] {
  const ordinal = new Map<string, number>();
  const windows: TierCounts[] = [];
  for (const event of events) {
    if (event.type === 'goal.submitted' && !ordinal.has(event.aggregateId)) ordinal.set(event.aggregateId, ordinal.size);
    if (event.type !== 'decision.completed' || !filter(event.data.key)) continue;
    const index = ordinal.get(event.aggregateId);
    if (index === undefined) continue;
    const w = Math.floor(index / windowSize);
    windows[w] ??= { frontier: 0, resident: 0, deterministic: 0, human: 0, costUsd: 0, spotCheckCostUsd: 0 };
    if (event.data.shadow) {
      windows[w].spotCheckCostUsd += event.data.costUsd;
      continue;
    }
    windows[w].costUsd += event.data.costUsd;
    windows[w][event.data.tier]++;
  }
  const runs = ordinal.size;
  return [...windows].map((counts, w) => {
    const c = counts ?? { frontier: 0, resident: 0, deterministic: 0, human: 0, costUsd: 0, spotCheckCostUsd: 0 };
    const total = c.frontier + c.resident + c.deterministic + c.human || 1;
    const first = w * windowSize + 1;
    const last = Math.min(runs, (w + 1) * windowSize);
    return {
      runs: `${first}-${last}`,
      decisions: c.frontier + c.resident + c.deterministic + c.human,
      frontierShare: round(c.frontier / total),
      residentShare: round(c.resident / total),
      deterministicShare: round(c.deterministic / total),
      humanShare: round(c.human / total),
      costUsd: round(c.costUsd / Math.max(1, last - first + 1), 6),
      spotCheckCostUsd: round(c.spotCheckCostUsd / Math.max(1, last - first + 1), 6),
    };
  });
}

/** How many runs a window holds ("271-300": 30). */
export function runsInWindow(window: Pick<TierWindow, 'runs'>): number {
  const [first, last] = window.runs.split('-').map(Number);
  return last - first + 1;
}

/** A window of runs as the projections count it: decisions per tier, cost, and runs that had decisions. */
export interface CountedWindow {
  firstRunOrdinal: number;
  lastRunOrdinal: number;
  runs: number;
  decisions: number;
  costUsd: number;
  tiers: Record<'frontier' | 'resident' | 'deterministic' | 'human', { decisions: number }>;
}

/** The chart's view of a counted window: each tier's share of its decisions, and its cost per run. */
export function tierWindowFromCounts(w: CountedWindow): TierWindow {
  const total = w.decisions || 1;
  return {
    runs: `${w.firstRunOrdinal}-${w.lastRunOrdinal}`,
    decisions: w.decisions,
    frontierShare: w.tiers.frontier.decisions / total,
    residentShare: w.tiers.resident.decisions / total,
    deterministicShare: w.tiers.deterministic.decisions / total,
    humanShare: w.tiers.human.decisions / total,
    costUsd: w.runs === 0 ? 0 : w.costUsd / w.runs,
  };
}
