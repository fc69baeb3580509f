import { FoldDefinition, RunFold, RunFolds } from '@loopwright/core';
import type { LoopEvent } from '@loopwright/events';
import type { StoredEvent } from './codec';
import { reportRejected, type EventLog } from './event-log';
import { FoldSnapshotCodec, FoldSnapshots, foldBucketOf, sealKeyOf } from './fold-snapshots';

export type RunEvent = LoopEvent & { seq: number };

export interface RunFoldLogOptions<S> {
  definition: FoldDefinition<S, RunEvent>;
  /** Runs held in memory (least recently used dropped first). */
  capacity?: number;
  /** Snapshots in `<stream>_folds_<service>`, one every `every` events (default 100). */
  snapshots?: { service: string; codec: FoldSnapshotCodec<S>; every?: number };
  /** A snapshot refused, a snapshot that could not be read or written: reported, never fatal. */
  onWarning(message: string): void;
}

/**
 * The folds of a process's runs, kept up with the log: a fold is advanced by the run's events after
 * the last sequence it saw, and restored from the service's snapshot (when one checks out) rather
 * than refolded from the start after a restart. Callers serialize the calls of one run.
 */
export class RunFoldLog<S> {
  readonly folds: RunFolds<S, RunEvent>;
  private snapshots?: Promise<FoldSnapshots<S> | undefined>;
  private readonly snapshotEvery: number;

  constructor(
    private readonly log: EventLog,
    private readonly options: RunFoldLogOptions<S>,
  ) {
    this.folds = new RunFolds(options.definition, options.capacity ?? 256);
    this.snapshotEvery = options.snapshots?.every ?? 100;
  }

  /**
   * The run's fold with every event the log holds for it now. `known`: sequences of the run's events
   * the caller was delivered (the events in hand, those waiting behind them), folded first through
   * catchUpThrough's requests sent at once; the rest is stepped through as catchUp does.
   */
  async caughtUp(runId: string, known: readonly number[] = []): Promise<RunFold<S>> {
    const fold = this.folds.get(runId) ?? (await this.restored(runId));
    if (fold.lastSeq > 0) await this.catchUpThrough(fold, known);
    await this.catchUp(fold);
    if (fold.sinceSnapshot >= this.snapshotEvery) await this.snapshot(fold);
    return fold;
  }

  /**
   * Folds the run's events after the fold's last sequence. A fold that starts from nothing reads the
   * whole run through one ordered reader; a fold part way through steps through the rest by single
   * reads of the stream (one asks "anything after?" and finds nothing when the fold is current).
   * Never an ordered reader from the middle of a run: after a NATS restart such a reader was seen to
   * wait for ever on messages the server counted as delivered, and the run's queue waited with it.
   * Each single read is one request with a timeout: it fails, and the handler is retried, but it
   * cannot hang.
   */
  async catchUp(fold: RunFold<S>): Promise<void> {
    if (fold.lastSeq === 0) {
      let lastRejected = 0;
      const events = await this.log.readRun(fold.runId, {
        onRejected: (stored) => {
          lastRejected = stored.seq;
          reportRejected(stored);
        },
      });
      this.folds.advance(fold, events);
      this.folds.skip(fold, lastRejected);
    }
    for (let next = await this.log.nextOfRun(fold.runId, fold.lastSeq); next; next = await this.log.nextOfRun(fold.runId, fold.lastSeq)) {
      this.foldStored(fold, next);
    }
  }

  /**
   * Folds the run's events through the last of `seqs`, sequences of the run's messages the caller
   * knows of (events it has just appended and folded itself, or was delivered): whatever else was
   * appended before them is folded too; what came after is left for the next catch-up, as any reader
   * of the run sees it then. It asks for the run's first message after the fold's last sequence and
   * after each known one but the last, all at once: when nothing came in between, that is one round
   * trip instead of one per event; a message found in a gap is stepped through from there.
   */
  async catchUpThrough(fold: RunFold<S>, seqs: readonly number[]): Promise<void> {
    const own = [...new Set(seqs)].filter((seq) => seq > fold.lastSeq).sort((a, b) => a - b);
    if (own.length === 0) return;
    const firsts = await Promise.all([fold.lastSeq, ...own.slice(0, -1)].map((seq) => this.log.nextOfRun(fold.runId, seq)));
    for (let i = 0; i < own.length; i++) {
      let next = firsts[i];
      while (next && fold.lastSeq < own[i]) {
        this.foldStored(fold, next);
        if (fold.lastSeq < own[i]) next = await this.log.nextOfRun(fold.runId, Math.max(next.seq, fold.lastSeq));
      }
    }
  }

  private foldStored(fold: RunFold<S>, stored: StoredEvent): void {
    if (stored.event) this.folds.advance(fold, [{ ...stored.event, seq: stored.seq }]);
    else {
      reportRejected(stored);
      this.folds.skip(fold, stored.seq);
    }
  }

  private async restored(runId: string): Promise<RunFold<S>> {
    const snapshots = await this.openSnapshots();
    const snapshot = await snapshots
      ?.load(runId, (reason) => this.options.onWarning(`fold snapshot of run ${runId} ignored: ${reason}`))
      .catch((error: Error) => {
        this.options.onWarning(`fold snapshot of run ${runId} unreadable: ${error.message}`);
        return undefined;
      });
    return this.folds.start(runId, snapshot);
  }

  private async snapshot(fold: RunFold<S>): Promise<void> {
    const snapshots = await this.openSnapshots();
    await snapshots?.save(fold).catch((error: Error) => this.options.onWarning(`fold snapshot of run ${fold.runId} not written: ${error.message}`));
  }

  private openSnapshots(): Promise<FoldSnapshots<S> | undefined> {
    const settings = this.options.snapshots;
    if (!settings) return Promise.resolve(undefined);
    this.snapshots ??= FoldSnapshots.open({
      nc: this.log.nc,
      bucket: foldBucketOf(this.log.config.streamName, settings.service),
      replicas: this.log.replicas,
      codec: settings.codec,
      key: sealKeyOf(this.log.config.pass),
      eventIdAt: async (runId, seq) => (await this.log.runMessageAt(runId, seq))?.event?.id,
    }).catch((error: Error) => {
      this.options.onWarning(`fold snapshots off: ${error.message}`);
      return undefined;
    });
    return this.snapshots;
  }
}
