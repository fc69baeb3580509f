import { catalog, EVENT_TYPES, PRODUCERS, uuidv7 } from '@loopwright/events';
import { decodeEvent } from './codec';

const ROOT = 'loop';

/** What decoding a message of `type` from `producer` in `aggregateId` says, on the subject its envelope names. */
function decodeOutcome(type: string, producer: string, aggregateId: string): string {
  const aggregate = catalog[type as keyof typeof catalog].aggregate;
  const envelope = {
    id: uuidv7(), type, schemaVersion: 1, aggregate, aggregateId, producer, correlationId: aggregateId, causationId: null,
    occurredAt: new Date(0).toISOString(), data: {},
  };
  try {
    decodeEvent(`${ROOT}.${aggregate}.${aggregateId}.${producer}.${type}`, new TextEncoder().encode(JSON.stringify(envelope)), ROOT);
    return 'decoded';
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Every event type of the catalog from every producer, in a run imported from a transcript and in
 * one the executor drives (any other aggregate alike): what every consumer, `readRun`, `replay` and
 * the projections' reader decode through. The data is empty, so an allowed producer reaches the
 * schema check and a refused one never does.
 */
describe('the producer check over the whole catalog', () => {
  const cases = EVENT_TYPES.flatMap((type) =>
    PRODUCERS.flatMap((producer) => ['r-driven', 'imp-r1'].map((aggregateId) => ({ type, producer, aggregateId }))),
  );

  it('refuses exactly the producers the catalog does not give a type, and the submitter\'s run events outside its imports', () => {
    const refused = cases.filter(({ type, producer, aggregateId }) => /may (not )?publish/.test(decodeOutcome(type, producer, aggregateId)));
    const expected = cases.filter(({ type, producer, aggregateId }) => {
      const owners: readonly string[] = catalog[type].producers;
      // In a run, the submitter's only word is its goal, unless it imported the run.
      const submitterInDrivenRun = producer === 'submitter' && catalog[type].aggregate === 'run' && type !== 'goal.submitted' && aggregateId === 'r-driven';
      return !owners.includes(producer) || submitterInDrivenRun;
    });
    expect(refused).toEqual(expected);
    // what the submitter's user may publish (for its imports), yet not in a run it did not import
    const submitterOwns = (type: string) => (catalog[type as keyof typeof catalog].producers as readonly string[]).includes('submitter');
    expect(refused.filter((c) => c.producer === 'submitter' && c.aggregateId === 'r-driven' && submitterOwns(c.type)).map((c) => c.type))
      .toEqual(['task.started', 'trace.step', 'work.produced']);
  });

  it('names the producer, the type and, for a run it did not import, the run', () => {
    expect(decodeOutcome('grade.recorded', 'executor', 'r-driven')).toBe('executor may not publish grade.recorded; owners: grader');
    expect(decodeOutcome('task.started', 'submitter', 'r-driven'))
      .toBe('submitter may publish task.started only in a run it imported, not in run r-driven (an imported run\'s id starts imp-)');
    expect(decodeOutcome('task.started', 'submitter', 'imp-r1')).toMatch(/^invalid task\.started data/);
  });
});
