import type { WorkProduced } from '@loopwright/events';

/** The limits the executor holds a session to from its own side, whatever the runtime enforces. */
export interface SessionLimits {
  maxTurns: number;
  timeLimitMs: number;
  budgetUsd: number;
}

export interface SessionProgress {
  /** Model turns begun. */
  turns: number;
  elapsedMs: number;
  costUsd: number;
}

export type LimitEnd = Extract<WorkProduced['endedBy'], 'turn_limit' | 'time_limit' | 'cost_limit'>;

/** The limit a session has gone past, if any: a turn begun beyond the last allowed one, the time, the spend. */
export function limitReached(progress: SessionProgress, limits: SessionLimits): LimitEnd | undefined {
  if (progress.costUsd >= limits.budgetUsd) return 'cost_limit';
  if (progress.turns > limits.maxTurns) return 'turn_limit';
  if (progress.elapsedMs >= limits.timeLimitMs) return 'time_limit';
  return undefined;
}

/** Why a session ended by a limit, in words for its trace. */
export function limitMessage(limit: LimitEnd, progress: SessionProgress, limits: SessionLimits): string {
  switch (limit) {
    case 'cost_limit':
      return `the session spent $${progress.costUsd.toFixed(4)} of its $${limits.budgetUsd.toFixed(4)} budget: interrupted`;
    case 'turn_limit':
      return `the session began turn ${progress.turns} of at most ${limits.maxTurns}: interrupted`;
    case 'time_limit':
      return `the session ran ${Math.round(progress.elapsedMs / 1000)} s of at most ${Math.round(limits.timeLimitMs / 1000)} s: interrupted`;
    default: {
      const unreachable: never = limit;
      return String(unreachable);
    }
  }
}
