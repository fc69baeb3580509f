import { TimeoutError } from '@nats-io/nats-core';
import { retryOnTimeout } from './test-log';

describe('retryOnTimeout', () => {
  const failing = (failures: Error[]) => {
    let calls = 0;
    const call = async (): Promise<string> => {
      const failure = failures[calls++];
      if (failure) throw failure;
      return `answered on call ${calls}`;
    };
    return { call, calls: () => calls };
  };

  it('calls again after a timeout, up to the attempts given', async () => {
    const twice = failing([new TimeoutError(), new TimeoutError()]);
    await expect(retryOnTimeout(twice.call, 3)).resolves.toBe('answered on call 3');
  });

  it('throws the last timeout once the attempts are spent', async () => {
    const always = failing([new TimeoutError(), new TimeoutError(), new TimeoutError()]);
    await expect(retryOnTimeout(always.call, 2)).rejects.toBeInstanceOf(TimeoutError);
    expect(always.calls()).toBe(2);
  });

  it('does not hide any other failure behind a retry', async () => {
    const refused = failing([new Error('permissions violation for subject "$JS.API.STREAM.DELETE.X"')]);
    await expect(retryOnTimeout(refused.call, 3)).rejects.toThrow(/permissions violation/);
    expect(refused.calls()).toBe(1);
  });
});
