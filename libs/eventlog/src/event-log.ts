import { connect } from '@nats-io/transport-node';
import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, JetStreamClient, jetstreamManager, JetStreamManager, MsgRequest, StreamInfo } from '@nats-io/jetstream';
import { IllegalStateError, InfrastructureError } from '@loopwright/core';
import { createEvent, EventOf, EventType, LoopEvent, NewEvent, subjectFilters } from '@loopwright/events';
import { appendEvent, AppendOptions, AppendResult } from './append';
import { ArtifactStore, openArtifactStore } from './artifacts';
import { BudgetLedger } from './budget-ledger';
import { KvLease } from './lease';
import { budgetBucketOf } from './nats-permissions';
import { StoredEvent, toStoredEvent } from './codec';
import { DeliveryCounter, openDeliveryCounter } from './delivery-counter';
import { ConsumerSpec, EventHandler, RunningConsumer, startConsumer } from './consumer';
import { ensureStream } from './stream';
import { replayEvents, ReplayOptions } from './replay';
import { secretsFromEnv } from './secret-guard';
import { provisionFoldBuckets } from './fold-snapshots';
import { deliveryBucketOf, leaseBucketOf, type LogConfig } from './config';
import { natsCredentialsFromEnv } from './nats-credentials';

export interface RunReadOptions {
  /** Read only the events after this stream sequence (0: the whole run). */
  afterSeq?: number;
  /** Where a stored message that is not a valid event goes. */
  onRejected?: (stored: StoredEvent) => void;
}

/** One process's handle on the log: append, consume, replay, artifacts. */
export class EventLog {
  private artifactStore?: Promise<ArtifactStore>;
  private budgetLedger?: Promise<BudgetLedger>;
  private counter?: Promise<DeliveryCounter>;
  private readonly consumers = new Set<RunningConsumer>();
  /** This process's secrets, read once: no event carrying one is appended. */
  private readonly secrets: readonly string[];

  private constructor(
    readonly config: LogConfig,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {
    this.secrets = secretsFromEnv(process.env, [config.pass]);
  }

  /**
   * Connects as the config's user (or, without one, as natsCredentialsFromEnv finds for its producer),
   * reconnecting forever after a drop, and makes sure the stream exists with its immutability settings
   * and the artifacts bucket exists: only an identity that may create them (the operator) provisions them.
   */
  static async open(config: LogConfig, options: { ensureStream?: boolean } = {}): Promise<EventLog> {
    const credentials = config.user ? { user: config.user, pass: config.pass } : natsCredentialsFromEnv(config.producer);
    let nc: NatsConnection;
    try {
      nc = await connect({
        // several servers (the nodes of a cluster) are given comma-separated
        servers: config.natsUrl.split(',').map((url) => url.trim()),
        ...credentials,
        name: `loopwright-${config.producer}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        // Every publish is a request: capturing two stack traces for each (in case it times out) was
        // a visible share of each service's CPU; the log's own errors name what failed (an append names its event).
        noAsyncTraces: true,
      });
    } catch (error) {
      throw new InfrastructureError(
        `cannot reach NATS at ${config.natsUrl} as ${credentials.user ?? 'no user'}: ${(error as Error).message}. ` +
          'Start it with `node scripts/services.mjs` or set NATS_URL; check LOOPWRIGHT_NATS_USER / LOOPWRIGHT_NATS_PASSWORD.',
        { cause: error },
      );
    }
    const jsm = await jetstreamManager(nc);
    const log = new EventLog({ ...config, ...credentials }, nc, jetstream(nc), jsm);
    if (options.ensureStream !== false) {
      try {
        await log.ensureStream();
        await log.artifacts();
        // the operator provisions the ledger here; an identity that may not use it is refused, and needs none
        await log.budgets().catch((error: unknown) => {
          if (!isPermissionRefusal(error)) throw error;
        });
        log.counter = openDeliveryCounter(nc, deliveryBucketOf(log.config.streamName), true, log.replicas);
        await log.counter;
        await KvLease.open(nc, leaseBucketOf(log.config.streamName), 'provisioning', 'operator', 0, { replicas: log.replicas }).catch((error: unknown) => {
          if (!isPermissionRefusal(error)) throw error;
        });
        // only the operator (and the service that snapshots) may see a snapshot bucket; the others need none
        await provisionFoldBuckets(nc, log.config.streamName, log.replicas).catch((error: unknown) => {
          if (!isPermissionRefusal(error)) throw error;
        });
      } catch (error) {
        await nc.close();
        throw provisioningError(error, log.config);
      }
    }
    return log;
  }

  /** Copies of the stream and its buckets across a cluster (see LogLocation.streamReplicas). */
  get replicas(): number {
    return this.config.streamReplicas ?? 1;
  }

  ensureStream(): Promise<StreamInfo> {
    return ensureStream(this.jsm, this.config);
  }

  append(event: LoopEvent, options?: AppendOptions): Promise<AppendResult> {
    return appendEvent(this.js, this.config.subjectRoot, event, { maxPayloadBytes: this.nc.info?.max_payload, ...options, secrets: this.secrets });
  }

  /** Creates the event (validated, at the current schema version) and appends it. */
  async emit<T extends EventType>(input: NewEvent<T>, options?: AppendOptions): Promise<EventOf<T> & { seq: number }> {
    const event = createEvent(input);
    const { seq } = await this.append(event, options);
    return { ...event, seq };
  }

  /** Appends many events with their acks awaited together: the bulk path for imports and benchmarks. */
  async appendMany(events: readonly LoopEvent[], window = 256): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (let i = 0; i < events.length; i += window) {
      results.push(...(await Promise.all(events.slice(i, i + window).map((e) => this.append(e)))));
    }
    return results;
  }

  replay(options?: ReplayOptions): AsyncGenerator<StoredEvent> {
    return replayEvents(this.js, this.config.streamName, this.config.subjectRoot, options);
  }

  /**
   * Every valid event of one run, in log order; with `afterSeq`, only those after that stream sequence
   * (how a fold that has seen the run up to there catches up). A stored message that is not a valid
   * event from an allowed producer never reaches the caller: it is handed to `onRejected` (by
   * default, one line on stderr).
   */
  async readRun(runId: string, options: RunReadOptions | RunReadOptions['onRejected'] = {}): Promise<(LoopEvent & { seq: number })[]> {
    const { afterSeq = 0, onRejected = reportRejected } = typeof options === 'function' ? { onRejected: options } : options;
    const events: (LoopEvent & { seq: number })[] = [];
    for await (const stored of this.replay({ filter: this.runFilter(runId), fromSeq: afterSeq + 1 })) {
      if (stored.event) events.push({ ...stored.event, seq: stored.seq });
      else onRejected(stored);
    }
    return events;
  }

  /**
   * The run's first stored message after `afterSeq`, or undefined when there is none: one request to
   * the stream, no consumer, so a fold can ask cheaply whether it is behind and step through a few
   * new events.
   */
  nextOfRun(runId: string, afterSeq: number): Promise<StoredEvent | undefined> {
    return this.nextMatching(this.runFilter(runId), afterSeq);
  }

  /**
   * The first stored message on a subject filter after `afterSeq`, or undefined: one request, no
   * consumer, bounded by the request's timeout (a reader started mid-stream could wait for ever on a
   * pending count the server got wrong).
   */
  async nextMatching(filter: string, afterSeq: number): Promise<StoredEvent | undefined> {
    // STREAM.MSG.GET takes `next_by_subj` (nats-server 2.9+) though the client types it for DIRECT.GET only
    const request = { seq: afterSeq + 1, next_by_subj: filter } as MsgRequest;
    const message = await this.jsm.streams.getMessage(this.config.streamName, request);
    return message ? toStoredEvent(message.seq, message.subject, message.data, this.config.subjectRoot) : undefined;
  }

  /** The stored message at one stream sequence, if it is one of the run's. */
  async runMessageAt(runId: string, seq: number): Promise<StoredEvent | undefined> {
    const message = await this.jsm.streams.getMessage(this.config.streamName, { seq }).catch(() => null);
    if (!message || !message.subject.startsWith(`${this.config.subjectRoot}.run.${runId}.`)) return undefined;
    return toStoredEvent(message.seq, message.subject, message.data, this.config.subjectRoot);
  }

  private runFilter(runId: string): string {
    return `${this.config.subjectRoot}.run.${runId}.>`;
  }

  async consume(spec: ConsumerSpec, handler: EventHandler): Promise<RunningConsumer> {
    const running = await startConsumer(
      { js: this.js, jsm: this.jsm, config: this.config, append: (e) => this.append(e), replay: (o) => this.replay(o),
        deliveryCounter: () => this.deliveryCounter() },
      spec,
      handler,
    );
    this.consumers.add(running);
    void running.done.finally(() => this.consumers.delete(running));
    return running;
  }

  /** The durable count of handler runs of redelivered messages (see startConsumer). */
  deliveryCounter(): Promise<DeliveryCounter> {
    this.counter ??= openDeliveryCounter(this.nc, deliveryBucketOf(this.config.streamName), false);
    this.counter.catch(() => (this.counter = undefined));
    return this.counter;
  }

  artifacts(): Promise<ArtifactStore> {
    this.artifactStore ??= openArtifactStore(this.nc, this.config.artifactBucket, this.replicas);
    return this.artifactStore;
  }

  /**
   * The budget ledger (created when missing, by an identity that may). Only the identities that hold
   * or spend budgets may open it; `dailyLimitUsd` is the limit of a day's account not yet written.
   */
  budgets(dailyLimitUsd = Number(process.env['LOOP_DAILY_BUDGET_USD'] ?? 500)): Promise<BudgetLedger> {
    this.budgetLedger ??= BudgetLedger.open(this.nc, budgetBucketOf(this.config), dailyLimitUsd, this.replicas).catch((error: unknown) => {
      this.budgetLedger = undefined;
      throw provisioningError(error, this.config);
    });
    return this.budgetLedger;
  }

  /** A named lease in the log's lease bucket, held as `holder` (see runUnderLease). */
  lease(name: string, holder: string, ttlMs: number): Promise<KvLease> {
    return KvLease.open(this.nc, leaseBucketOf(this.config.streamName), name, holder, ttlMs);
  }

  /** The subject filter for one event type under this log's root. */
  filterFor(type: EventType): string {
    return subjectFilters.type(type, this.config.subjectRoot);
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}

/** The default for a stored message that is not a valid event: one line on stderr. */
export function reportRejected(stored: StoredEvent): void {
  process.stderr.write(`loopwright: ignored seq ${stored.seq} on ${stored.subject}: ${stored.error}\n`);
}

function permissionRefusal(error: unknown): PermissionViolationError | undefined {
  const refused = error instanceof PermissionViolationError ? error : (error as Error | undefined)?.cause;
  if (refused instanceof PermissionViolationError) return refused;
  const provisioning = (error as Error | undefined)?.cause;
  return provisioning instanceof Error && provisioning !== error ? permissionRefusal(provisioning) : undefined;
}

function isPermissionRefusal(error: unknown): boolean {
  return permissionRefusal(error) !== undefined;
}

/** A stream or bucket this identity may not create is one the operator has not provisioned yet: say so. */
function provisioningError(error: unknown, config: LogConfig): unknown {
  const refused = permissionRefusal(error);
  if (!refused) return error;
  return new IllegalStateError(
    `stream ${config.streamName}, bucket ${config.artifactBucket} or bucket ${budgetBucketOf(config)} does not exist, and ${config.user ?? 'this user'} may not ` +
      `create it (${refused.subject}): provision them as the operator first (the nats-init service of docker-compose.yml, ` +
      'the nats-stream-init job of k8s/, or any Loopwright process connected as operator)',
    { cause: error },
  );
}
