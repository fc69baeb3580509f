/**
 * What a decider asks its runner to do: append an event, carry out an activity (I/O: a sandboxed
 * command, a model call), do nothing with a reason, or refuse the event as one it must not act on.
 */
export type Intent<E, A> =
  | { kind: 'emit'; event: E }
  | { kind: 'activity'; activity: A }
  | { kind: 'ignore'; reason: string }
  | { kind: 'refuse'; reason: string };

/** Pure business logic: fold events into state, and decide what to do about one of them. */
export interface Decider<State, Event, I> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(state: State, event: Event): I[];
}

/** The state after every event, in order. */
export function foldEvents<State, Event>(decider: Pick<Decider<State, Event, unknown>, 'initialState' | 'evolve'>, events: Iterable<Event>): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
