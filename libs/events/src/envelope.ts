import { z } from 'zod';
import { ValidationError } from '@loopwright/core';
import { catalog, EventData, EventDataInput, EventType, isEventType, producerRefusal } from './catalog';
import { upcast } from './upcasters';
import { uuidv7 } from './ids';
import { Aggregate, Producer, SubjectToken } from './vocabulary';

/** The envelope every event travels in. `data` is validated against the catalog by type. */
export const EnvelopeSchema = z.object({
  id: z.string().uuid(),
  type: z.string().min(1),
  schemaVersion: z.number().int().min(1),
  aggregate: Aggregate,
  aggregateId: SubjectToken,
  producer: Producer,
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  occurredAt: z.string().datetime({ offset: true }),
  data: z.unknown(),
});

export interface Envelope<T extends EventType = EventType> {
  readonly id: string;
  readonly type: T;
  readonly schemaVersion: number;
  readonly aggregate: Aggregate;
  readonly aggregateId: string;
  readonly producer: Producer;
  /** The run (or rule) the event belongs to, carried through every event it causes. */
  readonly correlationId: string;
  /** The id of the event that caused this one; null for events a person or the clock started. */
  readonly causationId: string | null;
  readonly occurredAt: string;
  readonly data: EventData<T>;
}

/** One union over every event type: switch on `type` and the data narrows. */
export type LoopEvent = { [T in EventType]: Envelope<T> }[EventType];
export type EventOf<T extends EventType> = Extract<LoopEvent, { type: T }>;

export interface NewEvent<T extends EventType> {
  type: T;
  aggregateId: string;
  producer: Producer;
  data: EventDataInput<T>;
  correlationId?: string;
  causationId?: string | null;
  /** Derived events pass a deterministic id (see `deterministicId`) so retries deduplicate. */
  id?: string;
  occurredAt?: Date;
}

/** Builds and validates a new event at the current schema version. Throws ValidationError naming the field. */
export function createEvent<T extends EventType>(input: NewEvent<T>): EventOf<T> {
  const entry = catalog[input.type];
  if (!entry) throw new ValidationError(`unknown event type "${String(input.type)}"`);
  const refusal = producerRefusal(input.type, input.producer, input.aggregateId);
  if (refusal) throw new ValidationError(refusal);
  const occurredAt = input.occurredAt ?? new Date();
  const id = input.id ?? uuidv7(occurredAt.getTime());
  return parseEvent({
    id,
    type: input.type,
    schemaVersion: entry.version,
    aggregate: entry.aggregate,
    aggregateId: input.aggregateId,
    producer: input.producer,
    correlationId: input.correlationId ?? input.aggregateId,
    causationId: input.causationId ?? null,
    occurredAt: occurredAt.toISOString(),
    data: input.data,
  }) as EventOf<T>;
}

/**
 * Validates anything that claims to be an event (JSON from the wire, a stored row): the envelope,
 * then the data against its type's schema, after upcasting an older schema version.
 */
export function parseEvent(raw: unknown): LoopEvent {
  const envelope = EnvelopeSchema.safeParse(raw);
  if (!envelope.success) throw zodToValidation('invalid event envelope', envelope.error);
  const { type, schemaVersion } = envelope.data;
  if (!isEventType(type)) throw new ValidationError(`unknown event type "${type}"`, [{ path: 'type', message: 'unknown' }]);
  const entry = catalog[type];
  if (envelope.data.aggregate !== entry.aggregate) {
    throw new ValidationError(`${type} belongs to aggregate "${entry.aggregate}", not "${envelope.data.aggregate}"`, [
      { path: 'aggregate', message: `expected ${entry.aggregate}` },
    ]);
  }
  if (schemaVersion > entry.version) {
    throw new ValidationError(`${type} v${schemaVersion} is newer than this build knows (v${entry.version})`, [
      { path: 'schemaVersion', message: 'too new' },
    ]);
  }
  const upcasted = upcast(type, schemaVersion, envelope.data.data, entry.version);
  const data = (entry.data as z.ZodType).safeParse(upcasted);
  if (!data.success) throw zodToValidation(`invalid ${type} data`, data.error, 'data');
  return { ...envelope.data, type, schemaVersion: entry.version, data: data.data } as LoopEvent;
}

function zodToValidation(what: string, error: z.ZodError, prefix?: string): ValidationError {
  const issues = error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
  const detail = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new ValidationError(`${what}: ${detail}`, issues, { cause: error });
}
