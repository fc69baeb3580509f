import { LoopwrightError } from '@loopwright/core';

/** What a consumer does with a message after its handler ran (or could not run). */
export type DeliveryOutcome =
  | { action: 'ack' }
  | { action: 'nak'; delayMs: number; reason: string }
  | { action: 'quarantine'; reason: string };

/**
 * Pure policy: invalid events and non-retryable domain errors are quarantined at once; anything
 * else is retried with growing delays until the delivery budget is spent, then quarantined.
 */
export function outcomeOf(error: unknown, deliveries: number, maxDeliver: number, baseDelayMs: number): DeliveryOutcome {
  if (error === undefined) return { action: 'ack' };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof LoopwrightError && !error.retryable) return { action: 'quarantine', reason: message };
  if (deliveries >= maxDeliver) {
    return { action: 'quarantine', reason: `gave up after ${deliveries} deliveries; last error ${message}` };
  }
  return { action: 'nak', delayMs: Math.min(30_000, baseDelayMs * 2 ** (deliveries - 1)), reason: message };
}

/** The handler's delivery limit when a consumer names none: LOOP_MAX_DELIVER, else 5. */
export function maxDeliverFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env['LOOP_MAX_DELIVER'] ?? 5);
  if (!Number.isInteger(value) || value < 1) throw new Error(`LOOP_MAX_DELIVER must be a whole number of deliveries, at least 1 (got ${env['LOOP_MAX_DELIVER']})`);
  return value;
}

/**
 * Pure policy before the handler runs, from the handler runs a message has had (`runsSoFar`, see
 * runsBefore). A handler that returns has its message acked, retried within the limit or
 * quarantined, so a message that has used up its runs and is delivered again was last handed to a
 * handler that never returned: its process died in it, or it hung past its ack wait.
 */
export function outcomeBeforeHandling(runsSoFar: number, maxDeliver: number, lastError?: string): DeliveryOutcome | undefined {
  if (runsSoFar < maxDeliver) return undefined;
  const before = lastError === undefined ? '' : `; the run before it ended with ${lastError}`;
  return {
    action: 'quarantine',
    reason: `the handler did not return (its process died or hung in it) after ${runsSoFar} runs of ${maxDeliver}${before}`,
  };
}

/**
 * Handler runs a message has had when delivered the `deliveries`th time: a first delivery's run is
 * counted as started without a record (so a message queued behind a crash may be counted once too
 * often), every later run is recorded before it starts.
 */
export function runsBefore(deliveries: number, started: number): number {
  return deliveries === 1 ? 0 : started + 1;
}
