import { UpstreamModelError } from '@loopwright/core';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Backoff before retry n is baseDelayMs·2^(n-1), capped at maxDelayMs, with up to 25% jitter off. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `retry-after` longer than this is not waited out here: the error goes back to the caller, retryable. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 500,
  maxDelayMs: 16_000,
  maxRetryAfterMs: 60_000,
};

/** An upstream failure, classified. */
export interface CallFailure {
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  message: string;
}

export interface RetryDeps {
  /** Names the upstream in error messages, e.g. `anthropic messages.create`. */
  label: string;
  policy: RetryPolicy;
  sleep: Sleep;
  /** In [0, 1): the jitter source. */
  random: () => number;
  /** Undefined for an error that is not an upstream failure: it is rethrown as it is. */
  classify: (error: unknown) => CallFailure | undefined;
}

/** Runs `op`, retrying retryable upstream failures with exponential backoff that honours `retry-after`. */
export async function withRetries<R>(op: () => Promise<R>, deps: RetryDeps): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      const failure = deps.classify(error);
      if (!failure) throw error;
      const what = describe(failure);
      if (!failure.retryable) {
        throw new UpstreamModelError(`${deps.label}: ${what}`, false, { cause: error, status: failure.status });
      }
      if (attempt > deps.policy.maxRetries) {
        throw new UpstreamModelError(`${deps.label}: ${what}, after ${attempt} attempts`, true, {
          cause: error,
          status: failure.status,
        });
      }
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > deps.policy.maxRetryAfterMs) {
        throw new UpstreamModelError(
          `${deps.label}: ${what}; asked to retry after ${failure.retryAfterMs}ms, longer than the ${deps.policy.maxRetryAfterMs}ms this call waits`,
          true,
          { cause: error, status: failure.status },
        );
      }
      await deps.sleep(failure.retryAfterMs ?? backoffMs(attempt, deps.policy, deps.random));
    }
  }
}

export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(ceiling * (1 - 0.25 * random()));
}

function describe(failure: CallFailure): string {
  return failure.status === undefined ? failure.message : `HTTP ${failure.status}: ${failure.message}`;
}
