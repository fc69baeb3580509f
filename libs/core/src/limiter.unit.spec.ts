import { Limiter } from './limiter';

describe('Limiter', () => {
  it('runs at most its limit at once, the rest in the order they came, and carries on after a failure', async () => {
    const limiter = new Limiter(2);
    const releases = new Map<number, () => void>();
    const started: number[] = [];
    let atOnce = 0;
    let most = 0;
    const task = (n: number) => limiter.run(async () => {
      started.push(n);
      most = Math.max(most, ++atOnce);
      await new Promise<void>((resolve) => releases.set(n, resolve));
      atOnce--;
      if (n === 1) throw new Error('task 1 failed');
      return n;
    });
    const results = [1, 2, 3, 4].map((n) => task(n).catch((e: Error) => e.message));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2]);
    releases.get(1)!();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2, 3]);
    releases.get(2)!();
    await new Promise((r) => setImmediate(r));
    releases.get(3)!();
    await new Promise((r) => setImmediate(r));
    releases.get(4)!();
    expect(await Promise.all(results)).toEqual(['task 1 failed', 2, 3, 4]);
    expect(started).toEqual([1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('refuses a limit below one', () => {
    expect(() => new Limiter(0)).toThrow(/at least 1/);
  });
});
