/** What a stream's state says of its tail; `deleted` only when asked for with `deleted_details`. */
export interface StreamTail {
  messages: number;
  first_seq: number;
  last_seq: number;
  deleted?: number[];
}

/**
 * The last sequence of `state` not deleted; 0 when the stream holds nothing. `last_seq` may name a
 * message deleted since, which no reader is ever given: a reader at the last message held is at the end.
 */
export function lastHeld(state: StreamTail): number {
  if (state.messages === 0) return 0;
  const deleted = new Set(state.deleted ?? []);
  let seq = state.last_seq;
  while (seq > state.first_seq && deleted.has(seq)) seq--;
  return seq;
}
