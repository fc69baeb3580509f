/**
 * What a replay knew of the log's end when it began, from answers it had anyway (no request per
 * message): the stream's last sequence, and how many messages its consumer had to deliver.
 */
export interface ReplayBounds {
  /** The stream's `last_seq` when the replay began; it may name a message deleted since, or never delivered to this filter. */
  lastSeq?: number;
  /** The consumer's `num_pending` when it was created: the messages it had to deliver then. */
  count?: number;
}

/** A delivered message, as a replay sees it: its sequence, and how many messages on the filter the stream held past it. */
export interface DeliveredMessage {
  seq: number;
  pending: number;
}

/** `more`: yield it and read on; `last`: yield it and end; `beyond`: end without it (appended after the replay began). */
export type ReplayStep = 'more' | 'last' | 'beyond';

/**
 * Where a replay bounded to the end of the log as it began ends. Not on the stream's last sequence
 * alone: when its last message was deleted (or purged, or aged out) that sequence never comes, and a
 * reader that waits for it waits for ever. A message the server says nothing is pending past is the
 * last one there is; one at or past the last sequence known at the start is the end. `delivered`
 * counts the messages delivered so far, this one included.
 */
export function replayStep(message: DeliveredMessage, delivered: number, bounds: ReplayBounds): ReplayStep {
  if (bounds.lastSeq !== undefined && message.seq > bounds.lastSeq) return 'beyond';
  if (message.pending === 0 || message.seq === bounds.lastSeq) return 'last';
  if (bounds.count !== undefined && delivered >= bounds.count) return 'last';
  return 'more';
}

/** Whether a replay has anything to read at all: its consumer had nothing to deliver when created, or it starts past the log's end. */
export function replayIsEmpty(fromSeq: number, bounds: ReplayBounds): boolean {
  return bounds.count === 0 || (bounds.lastSeq !== undefined && bounds.lastSeq < fromSeq);
}
