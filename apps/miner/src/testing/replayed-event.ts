import { createEvent, LoopEvent } from '@loopwright/events';

/** A new event (a new id) for the same business fact: a replay, or a copy from a producer allowed to publish it. */
export function again<E extends LoopEvent>(event: E, occurredAt: string | Date = event.occurredAt): E {
  const { id: _id, ...rest } = event;
  return createEvent({ ...rest, occurredAt: new Date(occurredAt) } as Parameters<typeof createEvent>[0]) as E;
}
