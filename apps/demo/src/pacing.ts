/**
 * The demo's pace against the outer loop: every `every` runs ended, no run is submitted until the
 * miner has completed a pass that read the log through the newest run.ended at that point (and
 * through the reviewer's approvals that pass led to). The outer loop then gets a pass at least
 * every `every` runs however fast the machine runs them, so the figures do not depend on its speed.
 */
/**
 * Five runs between waits: a pass at least six times per window of 30 runs, and more runs than are
 * in flight at once (4 by default), so the demo does not wait on every run ended.
 */
export const DEFAULT_PACE_EVERY = 5;

export interface Pacing {
  /** Runs ended between two waits for a pass; 0: the demo never waits. */
  every: number;
  /** How many runs had ended at the last wait. */
  heldAtEnded: number;
  /** The log sequence a completed pass must have read through before another run is submitted; undefined while none is awaited. */
  awaitedSeq?: number;
}

export function startPacing(every: number): Pacing {
  return { every, heldAtEnded: 0 };
}

/** The `ended`-th run ended, its run.ended stored at `seq`: at every `every`-th the demo waits for a pass that read through it. */
export function onRunEnded(pacing: Pacing, ended: number, seq: number): Pacing {
  if (pacing.every === 0 || ended < pacing.heldAtEnded + pacing.every) return pacing;
  return { ...pacing, heldAtEnded: ended, awaitedSeq: Math.max(pacing.awaitedSeq ?? 0, seq) };
}

/**
 * A pass completed, having read through `readThroughSeq`. It ends the wait if it read through the
 * awaited sequence, unless the reviewer approved a rule (`lastApprovalSeq`) after what it read: a
 * rule is promoted by the pass that reads its approval, so the demo waits for that one too.
 */
export function onPassCompleted(pacing: Pacing, readThroughSeq: number, lastApprovalSeq: number): Pacing {
  if (pacing.awaitedSeq === undefined || readThroughSeq < pacing.awaitedSeq) return pacing;
  return { ...pacing, awaitedSeq: lastApprovalSeq > readThroughSeq ? lastApprovalSeq : undefined };
}

export function maySubmit(pacing: Pacing): boolean {
  return pacing.awaitedSeq === undefined;
}
