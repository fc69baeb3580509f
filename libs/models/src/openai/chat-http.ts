import { retryAfterMs } from '../retry/retry-after';
import type { CallFailure } from '../retry/with-retries';

/** A non-2xx answer from a chat-completions server. */
export class ChatHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}: ${detail}`);
  }
}

/** The server could not be reached, or did not answer in time. */
export class ChatConnectionError extends Error {}

export async function postJson(
  fetchFn: typeof fetch,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
  nowMs: () => number,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ChatConnectionError(`cannot reach ${url}: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ChatHttpError(response.status, errorDetail(text), retryAfterMs((name) => response.headers.get(name), nowMs()));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ChatHttpError(response.status, `the response is not JSON: ${text.slice(0, 200)}`, undefined);
  }
}

function errorDetail(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; type?: string } | string };
    if (typeof parsed.error === 'string') return parsed.error;
    if (parsed.error?.message) return parsed.error.type ? `${parsed.error.type}: ${parsed.error.message}` : parsed.error.message;
  } catch {
    // not JSON: show the text
  }
  return text.slice(0, 500) || '(empty body)';
}

export function classifyChatError(error: unknown): CallFailure | undefined {
  if (error instanceof ChatConnectionError) return { retryable: true, message: error.message };
  if (error instanceof ChatHttpError) {
    const status = error.status;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return { retryable, status, retryAfterMs: error.retryAfterMs, message: error.detail };
  }
  return undefined;
}
