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
