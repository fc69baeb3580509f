import { ValidationError } from '@loopwright/core';
import { LoopEvent, parseEvent, parseSubject } from '@loopwright/events';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeEvent(event: LoopEvent): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

/**
 * Decodes a stored message and checks that its subject and envelope agree: an event whose
 * envelope names another producer or type than its subject is refused (subjects carry the permissions).
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
  const parts = parseSubject(subject, subjectRoot);
  const mismatched = (['aggregate', 'aggregateId', 'producer', 'type'] as const).filter((k) => parts[k] !== event[k]);
  if (mismatched.length > 0) {
    throw new ValidationError(`subject ${subject} disagrees with the envelope on ${mismatched.join(', ')}`);
  }
  return event;
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
