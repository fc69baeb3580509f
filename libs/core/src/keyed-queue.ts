/**
 * Runs tasks one at a time per key, in the order they were queued, and tasks of different keys
 * side by side: how a service handles several runs at once but one run's events in order.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // the last task of a key forgets it, so the map holds only keys with work queued
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or queued. */
  get busyKeys(): number {
    return this.tails.size;
  }
}
