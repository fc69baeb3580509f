import { AckPolicy, DeliverPolicy, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { LoopEvent } from '@loopwright/events';
import { decodeEvent } from './codec';
import { DeliveryOutcome, maxDeliverFromEnv, outcomeBeforeHandling, outcomeOf, runsBefore } from './delivery-outcome';
import type { DeliveryCounter } from './delivery-counter';
import { quarantineOnce } from './quarantine';
import type { LogConfig } from './config';
import type { StoredEvent } from './codec';
import type { ReplayOptions } from './replay';

export interface ConsumerSpec {
  /** Durable name, one per (service, purpose): e.g. `grader-work-produced`. */
  durable: string;
  /** One subject filter (NATS 2.9 takes one per consumer). */
  filterSubject: string;
  ackWaitMs?: number;
  /** Handler runs a message gets before it is quarantined (default LOOP_MAX_DELIVER, else 5). */
  maxDeliver?: number;
  /** Messages pulled and queued at once (default 16); each waiting one is heartbeated. */
  batch?: number;
  /** Delay before the first redelivery of a failed message; doubles each time. */
  retryDelayMs?: number;
  /**
   * Messages handled at once (default 1). Messages of one aggregate (one run) are still handled one
   * at a time, in the order they arrive; only different aggregates overlap.
   */
  concurrency?: number;
  /**
   * false: messages of one aggregate may be handled at once too (default true: one at a time, in
   * order). For handlers whose messages of a run are independent and that gather them into batches.
   */
  orderedPerAggregate?: boolean;
  /** Start at the end of the log instead of its beginning when the consumer is first created. */
  startAtEnd?: boolean;
  /**
   * Messages the server hands out before earlier ones are acked (default 1,000). Redeliveries after
   * a crash can come in any order; a handler that needs the stream's order whatever happens (one
   * that skips what lies below its checkpoint) sets 1: nothing new is delivered past an unacked message.
   */
  maxAckPending?: number;
}

export interface DeliveryContext {
  seq: number;
  subject: string;
  deliveries: number;
  /** Tells the server the handler is still busy, so the message is not redelivered meanwhile. */
  working(): void;
}

export type EventHandler = (event: LoopEvent, context: DeliveryContext) => Promise<void>;

export interface RunningConsumer {
  readonly durable: string;
  stop(): Promise<void>;
  /** Settles when the consume loop ends (after stop(), or on a fatal error). */
  readonly done: Promise<void>;
}

export interface ConsumerDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  config: LogConfig;
  append(event: LoopEvent): Promise<unknown>;
  /** Reads the log (a quarantine looks for a notice it may have sent before it crashed). */
  replay(options: ReplayOptions): AsyncIterable<StoredEvent>;
  onQuarantine?(reason: string, seq: number): void;
  /** The durable count of handler runs, opened when a message is first redelivered. */
  deliveryCounter(): Promise<DeliveryCounter>;
}

/** Creates (or updates) the durable pull consumer and runs its consume loop. */
export async function startConsumer(deps: ConsumerDeps, spec: ConsumerSpec, handler: EventHandler): Promise<RunningConsumer> {
  const ackWaitMs = spec.ackWaitMs ?? 30_000;
  const concurrency = Math.max(1, spec.concurrency ?? 1);
  const maxDeliver = spec.maxDeliver ?? maxDeliverFromEnv();
  await deps.jsm.consumers.add(deps.config.streamName, {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: spec.filterSubject,
    deliver_policy: spec.startAtEnd ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    // the server never drops a message: the consumer's own count of handler runs quarantines it
    max_deliver: -1,
    max_ack_pending: spec.maxAckPending ?? 1_000,
  });
  const consumer = await deps.js.consumers.get(deps.config.streamName, spec.durable);
  const messages = await consumer.consume({ max_messages: spec.batch ?? 64 });

  const handleOne = async (message: JsMsg): Promise<void> => {
    const deliveries = message.info.deliveryCount;
    const heartbeat = setInterval(() => message.working(), Math.max(100, ackWaitMs / 3));
    try {
      // a redelivered message may have killed the process that ran it: its runs are counted
      // durably, before each one starts, so that a death inside the handler still counts
      const counter = deliveries > 1 ? await deps.deliveryCounter() : undefined;
      const record = (await counter?.read(spec.durable, message.seq)) ?? { started: 0 };
      const runsSoFar = runsBefore(deliveries, record.started);
      const before = outcomeBeforeHandling(runsSoFar, maxDeliver, record.lastError);
      if (before) return await settle(message, deliveries, before);
      const started = deliveries > 1 ? record.started + 1 : 0;
      await counter?.write(spec.durable, message.seq, { ...record, started });
      let failure: unknown;
      try {
        const event = decodeEvent(message.subject, message.data, deps.config.subjectRoot);
        await handler(event, { seq: message.seq, subject: message.subject, deliveries, working: () => message.working() });
      } catch (error) {
        failure = error ?? new Error('handler failed without an error');
      }
      const outcome = outcomeOf(failure, runsSoFar + 1, maxDeliver, spec.retryDelayMs ?? 500);
      if (outcome.action === 'nak') {
        await (await deps.deliveryCounter()).write(spec.durable, message.seq, { started, lastError: outcome.reason.slice(0, 1_000) });
      }
      await settle(message, deliveries, outcome);
    } finally {
      clearInterval(heartbeat);
    }
  };

  const settle = async (message: JsMsg, deliveries: number, outcome: DeliveryOutcome): Promise<void> => {
    switch (outcome.action) {
      case 'ack':
        message.ack();
        return;
      case 'nak':
        message.nak(outcome.delayMs);
        return;
      case 'quarantine':
        await quarantineOnce(deps, {
          streamName: deps.config.streamName,
          consumer: spec.durable,
          producer: deps.config.producer,
          seq: message.seq,
          subject: message.subject,
          deliveries,
          reason: outcome.reason,
        });
        // an ack, not term(reason): nats-server 2.9 does not know the reason and would redeliver
        await message.ackAck();
        deps.onQuarantine?.(outcome.reason, message.seq);
        return;
      default: {
        const unreachable: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(unreachable)}`);
      }
    }
  };

  // Messages wait in a local queue. Up to `concurrency` are handled at once, but (unless
  // orderedPerAggregate is false) never two of one aggregate: a message waits behind every earlier one of its aggregate. Every waiting message is
  // heartbeated too: a slow handler must not let the ack_wait of the ones behind it run out.
  const batch = Math.max(spec.batch ?? 16, concurrency);
  const queue: JsMsg[] = [];
  const handling = new Set<JsMsg>();
  const waiters: (() => void)[] = [];
  const changed = () => waiters.splice(0).forEach((wake) => wake());
  const change = () => new Promise<void>((resolve) => waiters.push(resolve));
  const keyOf = (message: JsMsg) => aggregateKeyOf(message.subject, deps.config.subjectRoot);
  let readerEnded = false;
  let stopping = false;

  const reader = (async () => {
    for await (const message of messages) {
      queue.push(message);
      changed();
      while (queue.length >= batch && !stopping) await change();
    }
    readerEnded = true;
    changed();
  })();
  const waitingHeartbeat = setInterval(() => queue.filter((m) => !handling.has(m)).forEach((m) => m.working()), Math.max(100, ackWaitMs / 3));
  const ordered = spec.orderedPerAggregate ?? true;
  const nextReady = (): JsMsg | undefined => {
    if (handling.size >= concurrency) return undefined;
    if (!ordered) return queue.find((message) => !handling.has(message));
    const blocked = new Set([...handling].map(keyOf));
    for (const message of queue) {
      if (handling.has(message)) continue;
      const key = keyOf(message);
      if (!blocked.has(key)) return message;
      blocked.add(key);
    }
    return undefined;
  };
  const worker = (async () => {
    const running = new Set<Promise<void>>();
    while (!stopping) {
      const message = nextReady();
      if (!message) {
        if (readerEnded && queue.length === 0) break;
        await change();
        continue;
      }
      handling.add(message);
      const settled: Promise<void> = handleOne(message)
        // The ack or the quarantine notice could not be sent (connection lost): the message is
        // left unacked and the server redelivers it after ack_wait.
        .catch(() => undefined)
        .finally(() => {
          handling.delete(message);
          queue.splice(queue.indexOf(message), 1);
          running.delete(settled);
          changed();
        });
      running.add(settled);
    }
    await Promise.all(running);
  })();
  const done = Promise.all([reader, worker]).then(() => clearInterval(waitingHeartbeat));

  return {
    durable: spec.durable,
    done,
    async stop() {
      stopping = true;
      changed();
      await messages.close();
      await done;
    },
  };
}

/** `<aggregate>.<aggregateId>` of a subject under the root: what must not be handled twice at once. */
export function aggregateKeyOf(subject: string, subjectRoot: string): string {
  return subject.slice(subjectRoot.length + 1).split('.', 2).join('.');
}
