import { ValidationError } from '@loopwright/core';
import { catalog, identityConflict, LoopEvent, parseEvent, parseSubject, producerAllowed, subjectOf } from '@loopwright/events';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEvent(event: LoopEvent): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

/**
 * Decodes a stored message and checks who wrote it: the subject carries the NATS permissions, so
 * an envelope naming another producer, aggregate or type than its subject is refused, and so is a
 * producer the catalog does not allow for the type (an event forged past `createEvent`), and data
 * that speaks for another aggregate or another decision's requester (see identityConflict).
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
  const event = parseEvent(json);
  checkSubject(event, subject, subjectRoot);
  const conflict = identityConflict(event);
  if (conflict) throw new ValidationError(`${conflict}: refused`, [{ path: 'data', message: 'speaks for another aggregate or requester' }]);
  return event;
}

function checkSubject(event: LoopEvent, subject: string, subjectRoot: string): void {
  // A valid event's own subject equal to the stored one names the same producer, aggregate and type:
  // one string to build per message instead of taking the subject apart. Any other subject is
  // taken apart to say what disagrees.
  if (subjectOf(event, subjectRoot) === subject && producerAllowed(event.type, event.producer)) return;
  const parts = parseSubject(subject, subjectRoot);
  if (parts.producer !== event.producer) {
    throw new ValidationError(
      `subject ${subject} names producer ${parts.producer}, the envelope ${event.producer} (${event.type}): refused`,
      [{ path: 'producer', message: `expected ${parts.producer}` }],
    );
  }
  if (!producerAllowed(event.type, event.producer)) {
    throw new ValidationError(
      `${event.producer} may not publish ${event.type}; owners: ${catalog[event.type].producers.join(', ')}`,
      [{ path: 'producer', message: 'not an owner of the type' }],
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
