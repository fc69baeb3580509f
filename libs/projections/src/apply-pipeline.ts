/**
 * Applies batches in order through one or more lanes. Each lane takes every batch, one after the
 * other; different lanes run at once. At most `depth` batches are in flight: `submit` waits for the
 * oldest before taking another, so the caller reads the next batch while earlier ones commit. After
 * a lane fails, `submit` and `drain` throw its error, once the batches in flight have settled.
 */
export class ApplyPipeline<Batch> {
  private readonly tails: Promise<void>[];
  private readonly inFlight: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly lanes: readonly ((batch: Batch) => Promise<void>)[],
    private readonly depth: number,
    private readonly onApplied: (batch: Batch) => void,
  ) {
    if (lanes.length === 0 || depth < 1) throw new Error('an apply pipeline needs at least one lane and a depth of at least 1');
    this.tails = lanes.map(() => Promise.resolve());
  }

  async submit(batch: Batch): Promise<void> {
    while (this.inFlight.length >= this.depth && !this.failure) await this.inFlight[0];
    if (this.failure) return this.drain();
    const applied = Promise.all(this.lanes.map((apply, i) => (this.tails[i] = this.tails[i].then(() => apply(batch)))));
    const settled = applied.then(
      () => {
        if (!this.failure) this.onApplied(batch);
      },
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    const tracked = settled.finally(() => this.inFlight.splice(this.inFlight.indexOf(tracked), 1));
    this.inFlight.push(tracked);
  }

  /** Waits for every batch in flight; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.tails);
    await Promise.all([...this.inFlight]);
    if (this.failure) throw this.failure.error;
  }
}
