import { ValidationError } from '@loopwright/core';
import { identityConflict, isEventType, LoopEvent, parseEvent, parseSubject, producerRefusal, subjectOf } from '@loopwright/events';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEvent(event: LoopEvent): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

/**
 * Decodes a stored message and checks who wrote it: the subject carries the NATS permissions, so
 * an envelope naming another producer, aggregate or type than its subject is refused, and so is a
 * producer the catalog does not allow for the type in that aggregate (an event forged past
 * `createEvent`, or the submitter's task, steps or work in a run it did not import), and data that
 * speaks for another aggregate or another decision's requester (see identityConflict).
 */
export function decodeEvent(subject: string, payload: Uint8Array, subjectRoot: string): LoopEvent {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(payload));
  } catch (error) {
    throw new ValidationError(`payload on ${subject} is not JSON`, [{ path: '(root)', message: 'not JSON' }], {
      cause: error,
    });
  }
  checkProducer(json);
  const event = parseEvent(json);
  checkSubject(event, subject, subjectRoot);
  const conflict = identityConflict(event);
  if (conflict) throw new ValidationError(`${conflict}: refused`, [{ path: 'data', message: 'speaks for another aggregate or requester' }]);
  return event;
}

/**
 * The catalog's producer rule (producerRefusal), on the envelope as it came, before its data is
 * validated: every event type is refused the same way, whatever its data, and a forgery costs no
 * schema check. A message without a known type, a producer or an aggregate id fails parseEvent after.
 */
function checkProducer(json: unknown): void {
  if (typeof json !== 'object' || json === null) return;
  const { type, producer, aggregateId } = json as Record<string, unknown>;
  if (typeof type !== 'string' || !isEventType(type) || typeof producer !== 'string' || typeof aggregateId !== 'string') return;
  const refusal = producerRefusal(type, producer, aggregateId);
  if (refusal) throw new ValidationError(refusal, [{ path: 'producer', message: 'not an owner of the type here' }]);
}

function checkSubject(event: LoopEvent, subject: string, subjectRoot: string): void {
  // A valid event's own subject equal to the stored one names the same producer, aggregate and type:
  // one string to build per message instead of taking the subject apart. Any other subject is
  // taken apart to say what disagrees.
  if (subjectOf(event, subjectRoot) === subject) return;
  const parts = parseSubject(subject, subjectRoot);
  if (parts.producer !== event.producer) {
    throw new ValidationError(
      `subject ${subject} names producer ${parts.producer}, the envelope ${event.producer} (${event.type}): refused`,
      [{ path: 'producer', message: `expected ${parts.producer}` }],
    );
  }
  const mismatched = (['aggregate', 'aggregateId', 'type'] as const).filter((k) => parts[k] !== event[k]);
  if (mismatched.length > 0) {
    throw new ValidationError(`subject ${subject} disagrees with the envelope on ${mismatched.join(', ')}`);
  }
}

/** One message of the stream as stored, decoded when it is a valid event. */
export interface StoredEvent {
  seq: number;
  subject: string;
  payload: Uint8Array;
  /** null when the stored message is not a valid event (it was quarantined when consumed). */
  event: LoopEvent | null;
  error?: string;
}

export function toStoredEvent(seq: number, subject: string, payload: Uint8Array, subjectRoot: string): StoredEvent {
  try {
    return { seq, subject, payload, event: decodeEvent(subject, payload, subjectRoot) };
  } catch (error) {
    return { seq, subject, payload, event: null, error: (error as Error).message };
  }
}
