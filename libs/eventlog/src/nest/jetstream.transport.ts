import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { EventType, isEventType } from '@loopwright/events';
import type { ConsumerSpec, RunningConsumer } from '../consumer';
import type { EventLog } from '../event-log';
import { durableName } from '../nats-permissions';
import { JetStreamContext } from './jetstream.context';

export interface JetStreamTransportOptions {
  /** The service's name: durable consumers are named `<service>-<event type>`. */
  service: string;
  /** The opened log, or a factory that opens it when the transport starts listening. */
  log: EventLog | (() => Promise<EventLog>);
  /** Consumer settings for every pattern, and per event type. */
  defaults?: Omit<Partial<ConsumerSpec>, 'durable' | 'filterSubject'>;
  perType?: Partial<Record<EventType, Omit<Partial<ConsumerSpec>, 'durable' | 'filterSubject'>>>;
}

/**
 * A Nest transport over JetStream durable pull consumers: one consumer per `@EventPattern(type)`.
 * Handlers stay thin; the transport acks after the handler succeeds, naks retryable failures
 * with a delay, quarantines and terminates poison messages, and heartbeats long handlers.
 */
export class JetStreamTransport extends Server implements CustomTransportStrategy {
  private readonly running: RunningConsumer[] = [];
  private log?: EventLog;

  constructor(private readonly options: JetStreamTransportOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.log = typeof this.options.log === 'function' ? await this.options.log() : this.options.log;
      for (const [pattern, handler] of this.messageHandlers) {
        if (!isEventType(pattern)) {
          throw new Error(`@EventPattern('${pattern}') does not name an event type of the catalog`);
        }
        const spec: ConsumerSpec = {
          ...this.options.defaults,
          ...this.options.perType?.[pattern],
          durable: durableName(this.options.service, pattern),
          filterSubject: this.log.filterFor(pattern),
        };
        this.running.push(
          await this.log.consume(spec, async (event, delivery) => {
            const result = await handler(event, new JetStreamContext([event, delivery]));
            await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
          }),
        );
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.running.splice(0).map((c) => c.stop()));
  }

  on(): never {
    throw new Error('the JetStream transport has no status events to subscribe to');
  }

  unwrap<T>(): T {
    if (!this.log) throw new Error('the JetStream transport is not listening yet');
    return this.log as T;
  }
}
