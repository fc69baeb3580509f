import type { RetryPolicy, Sleep } from './retry/with-retries';

/** What every provider that calls a model over HTTP takes, besides where and which model. */
export interface HttpProviderOptions {
  model: string;
  /** Defaults for requests that name no maxTokens: 1024 for answers, 4096 for turns. */
  answerMaxTokens?: number;
  turnMaxTokens?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Milliseconds, for latency. */
  now?: () => number;
  /** Per HTTP request. Default 120 s. */
  timeoutMs?: number;
}
