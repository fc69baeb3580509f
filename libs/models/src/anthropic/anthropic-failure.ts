import { AnthropicError, APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { retryAfterMs } from '../retry/retry-after';
import type { CallFailure } from '../retry/with-retries';

/** Rate limits (429), overload (529), timeouts and 5xx are worth retrying; auth and invalid requests are not. */
const RETRYABLE_STATUS = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

export function classifyAnthropicError(error: unknown, nowMs: number): CallFailure | undefined {
  if (error instanceof APIUserAbortError) return undefined;
  if (error instanceof APIConnectionError) return { retryable: true, message: `connection failed: ${error.message}` };
  if (error instanceof APIError && typeof error.status === 'number') {
    const kind = error.type ? `${error.type}: ` : '';
    return {
      retryable: RETRYABLE_STATUS(error.status),
      status: error.status,
      retryAfterMs: error.headers ? retryAfterMs((name) => error.headers?.get(name), nowMs) : undefined,
      message: `${kind}${error.apiMessage ?? error.message}`,
    };
  }
  if (error instanceof AnthropicError) return { retryable: false, message: error.message };
  return undefined;
}
