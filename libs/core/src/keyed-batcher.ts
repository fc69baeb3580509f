/** What a batch's flush says of each of its items, in order: undefined when it was carried out. */
export type BatchOutcome = (Error | undefined)[];

interface Waiting<T> {
  item: T;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Gathers items per key into batches, one batch of a key in flight at a time: items that arrive
 * while a key's batch is being flushed wait for the next flush of that key and go together (a
 * group commit). Different keys flush side by side. Each item's promise settles with its outcome.
 */
export class KeyedBatcher<T> {
  private readonly waiting = new Map<string, Waiting<T>[]>();
  private readonly flushing = new Set<string>();

  constructor(
    private readonly flush: (key: string, items: T[]) => Promise<BatchOutcome>,
    private readonly maxBatch = 64,
  ) {}

  add(key: string, item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(key) ?? [];
      queue.push({ item, resolve, reject });
      this.waiting.set(key, queue);
      // the first flush waits a turn of the event loop, so items delivered together go together
      if (!this.flushing.has(key)) {
        this.flushing.add(key);
        setImmediate(() => void this.drain(key));
      }
    });
  }

  /** Keys with items waiting or being flushed. */
  get busyKeys(): number {
    return this.flushing.size;
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const queue = this.waiting.get(key) ?? [];
      const batch = queue.splice(0, this.maxBatch);
      if (queue.length === 0) this.waiting.delete(key);
      if (batch.length === 0) break;
      let outcome: BatchOutcome;
      try {
        outcome = await this.flush(key, batch.map((w) => w.item));
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        outcome = batch.map(() => failure);
      }
      batch.forEach((waiting, i) => {
        const failure = i < outcome.length ? outcome[i] : new Error('the batch gave no outcome for this item');
        if (failure) waiting.reject(failure);
        else waiting.resolve();
      });
    }
    this.flushing.delete(key);
  }
}
