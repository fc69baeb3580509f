import { UpstreamModelError } from '@loopwright/core';
import { retryAfterMs } from './retry-after';
import { backoffMs, CallFailure, RetryPolicy, withRetries } from './with-retries';

class FakeUpstream extends Error {
  constructor(readonly failure: CallFailure) {
    super(failure.message);
  }
}

const policy: RetryPolicy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 250, maxRetryAfterMs: 5_000 };

function run(failures: CallFailure[], overrides: Partial<RetryPolicy> = {}) {
  const sleeps: number[] = [];
  let calls = 0;
  const result = withRetries(
    async () => {
      const failure = failures[calls++];
      if (failure) throw new FakeUpstream(failure);
      return 'ok';
    },
    {
      label: 'fake',
      policy: { ...policy, ...overrides },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0,
      classify: (e) => (e instanceof FakeUpstream ? e.failure : undefined),
    },
  );
  return { result, sleeps, calls: () => calls };
}

describe('withRetries', () => {
  const busy: CallFailure = { retryable: true, status: 503, message: 'busy' };

  it('backs off exponentially up to the cap', async () => {
    const r = run([busy, busy, busy]);
    await expect(r.result).resolves.toBe('ok');
    expect(r.sleeps).toEqual([100, 200, 250]);
  });

  it('jitters down by at most a quarter', () => {
    expect(backoffMs(1, policy, () => 0.999)).toBe(75);
    expect(backoffMs(2, policy, () => 0.5)).toBe(175);
  });

  it('gives up after maxRetries with a retryable error carrying the status', async () => {
    const r = run([busy, busy, busy, busy]);
    const error = (await r.result.catch((e: unknown) => e)) as UpstreamModelError;
    expect(error).toBeInstanceOf(UpstreamModelError);
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
    expect(error.message).toBe('fake: HTTP 503: busy, after 4 attempts');
    expect(r.calls()).toBe(4);
  });

  it('does not retry a non-retryable failure', async () => {
    const r = run([{ retryable: false, status: 400, message: 'bad request' }]);
    await expect(r.result).rejects.toMatchObject({ retryable: false, status: 400 });
    expect(r.calls()).toBe(1);
  });

  it('returns a retry-after longer than it waits to the caller instead of sleeping', async () => {
    const r = run([{ ...busy, status: 429, retryAfterMs: 30_000 }]);
    await expect(r.result).rejects.toThrow(/asked to retry after 30000ms/);
    expect(r.sleeps).toEqual([]);
  });

  it('rethrows an error that is not an upstream failure as it is', async () => {
    const bug = new TypeError('a bug');
    const result = withRetries(() => Promise.reject(bug), {
      label: 'fake',
      policy,
      sleep: async () => undefined,
      random: () => 0,
      classify: () => undefined,
    });
    await expect(result).rejects.toBe(bug);
  });
});

describe('retryAfterMs', () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name];
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(retryAfterMs(headers({ 'retry-after': '1' }), now)).toBe(1000);
    expect(retryAfterMs(headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
  });
});
