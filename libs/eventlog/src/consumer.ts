import { AckPolicy, DeliverPolicy, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { LoopEvent } from '@loopwright/events';
import { decodeEvent } from './codec';
import { outcomeOf } from './delivery-outcome';
import { quarantineEvent } from './quarantine';
import type { LogConfig } from './config';

export interface ConsumerSpec {
  /** Durable name, one per (service, purpose): e.g. `grader-work-produced`. */
  durable: string;
  /** One subject filter (NATS 2.9 takes one per consumer). */
  filterSubject: string;
  ackWaitMs?: number;
  maxDeliver?: number;
  /** Messages pulled and queued at once (default 16); each waiting one is heartbeated. */
  batch?: number;
  /** Delay before the first redelivery of a failed message; doubles each time. */
  retryDelayMs?: number;
  /** Start at the end of the log instead of its beginning when the consumer is first created. */
  startAtEnd?: boolean;
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
  onQuarantine?(reason: string, seq: number): void;
}

/** Creates (or updates) the durable pull consumer and runs its consume loop. */
export async function startConsumer(deps: ConsumerDeps, spec: ConsumerSpec, handler: EventHandler): Promise<RunningConsumer> {
  const ackWaitMs = spec.ackWaitMs ?? 30_000;
  const maxDeliver = spec.maxDeliver ?? 5;
  await deps.jsm.consumers.add(deps.config.streamName, {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: spec.filterSubject,
    deliver_policy: spec.startAtEnd ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    max_deliver: maxDeliver,
    max_ack_pending: 1_000,
  });
  const consumer = await deps.js.consumers.get(deps.config.streamName, spec.durable);
  const messages = await consumer.consume({ max_messages: spec.batch ?? 64 });

  const handleOne = async (message: JsMsg): Promise<void> => {
    const deliveries = message.info.deliveryCount;
    const heartbeat = setInterval(() => message.working(), Math.max(100, ackWaitMs / 3));
    let failure: unknown;
    try {
      const event = decodeEvent(message.subject, message.data, deps.config.subjectRoot);
      await handler(event, { seq: message.seq, subject: message.subject, deliveries, working: () => message.working() });
    } catch (error) {
      failure = error ?? new Error('handler failed without an error');
    } finally {
      clearInterval(heartbeat);
    }
    const outcome = outcomeOf(failure, deliveries, maxDeliver, spec.retryDelayMs ?? 500);
    switch (outcome.action) {
      case 'ack':
        message.ack();
        return;
      case 'nak':
        message.nak(outcome.delayMs);
        return;
      case 'quarantine':
        await deps.append(
          quarantineEvent({
            streamName: deps.config.streamName,
            consumer: spec.durable,
            producer: deps.config.producer,
            seq: message.seq,
            subject: message.subject,
            deliveries,
            reason: outcome.reason,
          }),
        );
        message.term(outcome.reason.slice(0, 200));
        deps.onQuarantine?.(outcome.reason, message.seq);
        return;
      default: {
        const unreachable: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(unreachable)}`);
      }
    }
  };

  // Messages wait in a local queue, handled one at a time in order. Every waiting message is
  // heartbeated too: a slow handler must not let the ack_wait of the ones behind it run out.
  const batch = spec.batch ?? 16;
  const queue: JsMsg[] = [];
  const waiters: (() => void)[] = [];
  const changed = () => waiters.splice(0).forEach((wake) => wake());
  const change = () => new Promise<void>((resolve) => waiters.push(resolve));
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
  const waitingHeartbeat = setInterval(() => queue.slice(1).forEach((m) => m.working()), Math.max(100, ackWaitMs / 3));
  const worker = (async () => {
    while (!stopping) {
      if (queue.length === 0) {
        if (readerEnded) return;
        await change();
        continue;
      }
      try {
        await handleOne(queue[0]);
      } catch {
        // The ack or the quarantine notice could not be sent (connection lost): the message is
        // left unacked and the server redelivers it after ack_wait.
      }
      queue.shift();
      changed();
    }
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
