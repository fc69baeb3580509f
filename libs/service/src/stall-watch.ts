/** A reader's position against the head of what it reads; `busy` when it holds work in hand (a long handler is no stall). */
export interface Progress {
  position: number;
  head: number;
  busy?: boolean;
}

/** How long a stalled reader may sit behind the log before /health says so: LOOP_PROJECTION_STALL_MS, else 30 s. */
export function stallMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env['LOOP_PROJECTION_STALL_MS'] ?? 30_000);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`LOOP_PROJECTION_STALL_MS must be a positive number of milliseconds (got ${env['LOOP_PROJECTION_STALL_MS']})`);
  return value;
}

/**
 * Watches one reader: it is stalled while it is behind the head, holds nothing in hand, and its
 * position has not moved, for longer than `stallMs`. Pure apart from the clock the caller passes.
 */
export class StallWatch {
  private position = -1;
  private since = 0;

  constructor(private readonly stallMs: number) {}

  /** How long the reader has been stuck behind, in ms (0 when it moves, is caught up or busy). */
  observe(progress: Progress, now: number): number {
    if (progress.position !== this.position || progress.position >= progress.head || progress.busy) {
      this.position = progress.position;
      this.since = now;
      return 0;
    }
    return now - this.since;
  }

  /** The stall as a reason for /health, or undefined while the reader is fine. */
  problem(name: string, progress: Progress, now: number): string | undefined {
    const stuck = this.observe(progress, now);
    if (stuck <= this.stallMs) return undefined;
    return `${name} is stalled at sequence ${progress.position} for ${Math.round(stuck / 1000)} s while the log is at ${progress.head}`;
  }
}
