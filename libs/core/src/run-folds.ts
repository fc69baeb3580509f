/** How a service folds one run's events into the state it decides on. */
export interface FoldDefinition<S, E> {
  initial(runId: string): S;
  evolve(state: S, event: E): S;
}

/** One run's fold: its state and the last stream sequence folded into it. */
export interface RunFold<S> {
  readonly runId: string;
  state: S;
  /** The last stream sequence of the run seen (folded, or skipped as not a valid event). */
  lastSeq: number;
  /** The last valid event folded from the log: where a snapshot of the state is anchored. */
  anchor?: { seq: number; id: string };
  /** Events folded from the log since the fold was last snapshotted (or started). */
  sinceSnapshot: number;
}

/**
 * The folds of the runs a process works on, the most recently used `capacity` of them: each is
 * advanced by the run's events after its last sequence, never refolded from the start.
 */
export class RunFolds<S, E extends { id: string; seq: number }> {
  private readonly folds = new Map<string, RunFold<S>>();

  constructor(
    private readonly definition: FoldDefinition<S, E>,
    readonly capacity = 256,
  ) {}

  /** The run's fold, if held; it becomes the most recently used. */
  get(runId: string): RunFold<S> | undefined {
    const fold = this.folds.get(runId);
    if (fold) {
      this.folds.delete(runId);
      this.folds.set(runId, fold);
    }
    return fold;
  }

  /** Holds a new fold of the run, from the start or from a snapshot's state, dropping the least recently used. */
  start(runId: string, from?: { state: S; anchor: { seq: number; id: string } }): RunFold<S> {
    const fold: RunFold<S> = from
      ? { runId, state: from.state, lastSeq: from.anchor.seq, anchor: from.anchor, sinceSnapshot: 0 }
      : { runId, state: this.definition.initial(runId), lastSeq: 0, sinceSnapshot: 0 };
    this.folds.delete(runId);
    this.folds.set(runId, fold);
    while (this.folds.size > this.capacity) this.folds.delete(this.folds.keys().next().value!);
    return fold;
  }

  /** Folds the log's events after the fold's last sequence; earlier ones are already in it. */
  advance(fold: RunFold<S>, events: readonly E[]): void {
    for (const event of events) {
      if (event.seq <= fold.lastSeq) continue;
      fold.state = this.definition.evolve(fold.state, event);
      fold.lastSeq = event.seq;
      fold.anchor = { seq: event.seq, id: event.id };
      fold.sinceSnapshot++;
    }
  }

  /** A stored message of the run that is not a valid event: seen, folded into nothing. */
  skip(fold: RunFold<S>, seq: number): void {
    fold.lastSeq = Math.max(fold.lastSeq, seq);
  }

  /** Folds an event this process appended before reading it back (the definition must fold an event once). */
  applyOwn(fold: RunFold<S>, event: Omit<E, 'seq'>): void {
    fold.state = this.definition.evolve(fold.state, event as E);
  }

  drop(runId: string): void {
    this.folds.delete(runId);
  }
}
