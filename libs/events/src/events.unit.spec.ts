import { ValidationError } from '@loopwright/core';
import {
  buildSubject, createEvent, deterministicId, EVENT_TYPES, parseEvent, parseSubject, subjectFilters, subjectOf,
  UUID_PATTERN, uuidv7,
} from './index';

const goal = {
  goalId: 'g1',
  title: 'Add a sum function',
  description: 'Write sum(a, b) with tests',
  roles: ['engineer' as const],
  allowedPaths: ['src/**'],
  testCommand: 'node test.js',
  budgetUsd: 1,
};

describe('ids', () => {
  it('makes time-ordered UUIDv7s', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a).toMatch(UUID_PATTERN);
    expect(a[14]).toBe('7');
    expect(a < b).toBe(true);
  });

  it('derives the same id from the same parts, and another from other parts', () => {
    expect(deterministicId('work-1', 3)).toBe(deterministicId('work-1', 3));
    expect(deterministicId('work-1', 3)).not.toBe(deterministicId('work-1', 4));
    expect(deterministicId('x')).toMatch(UUID_PATTERN);
  });
});

describe('subjects', () => {
  it('builds and parses loop.<aggregate>.<id>.<producer>.<type>', () => {
    const subject = buildSubject({ aggregate: 'run', aggregateId: 'r1', producer: 'grader', type: 'grade.recorded' });
    expect(subject).toBe('loop.run.r1.grader.grade.recorded');
    expect(parseSubject(subject)).toEqual({ aggregate: 'run', aggregateId: 'r1', producer: 'grader', type: 'grade.recorded' });
  });

  it('refuses subjects outside the scheme', () => {
    expect(() => parseSubject('other.run.r1.grader.grade.recorded')).toThrow(ValidationError);
    expect(() => parseSubject('loop.planet.r1.grader.x')).toThrow(/unknown aggregate/);
    expect(() => parseSubject('loop.run.r1.intruder.x')).toThrow(/unknown producer/);
  });

  it('has filters for a run, a type and a producer', () => {
    expect(subjectFilters.run('r9')).toBe('loop.run.r9.>');
    expect(subjectFilters.type('rule.promoted')).toBe('loop.rule.*.*.rule.promoted');
    expect(subjectFilters.producer('grader', 'x')).toBe('x.*.*.grader.>');
  });
});

describe('catalog', () => {
  it('names every event of the architecture', () => {
    expect(EVENT_TYPES.sort()).toEqual(
      [
        'goal.submitted', 'task.started', 'task.completed', 'task.failed', 'agent.session.opened', 'trace.step', 'trace.abandoned', 'work.produced', 'work.verified',
        'decision.requested', 'decision.routed', 'decision.completed', 'grade.recorded', 'run.ended', 'run.graded', 'review.requested',
        'review.resolved', 'rule.proposed', 'rule.validated', 'rule.rejected', 'rule.approved', 'rule.promoted',
        'rule.demoted', 'resident.trained', 'instruction.proposed', 'rubric.calibrated', 'budget.exhausted', 'audit.checkpoint',
        'miner.pass.completed', 'system.event.quarantined',
      ].sort(),
    );
  });

  it('creates a valid event with defaults applied and round-trips it through JSON', () => {
    const event = createEvent({ type: 'goal.submitted', aggregateId: 'r1', producer: 'submitter', data: goal });
    expect(event.aggregate).toBe('run');
    expect(event.data.maxIterations).toBe(3);
    expect(subjectOf(event)).toBe('loop.run.r1.submitter.goal.submitted');
    expect(parseEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('refuses data that breaks the schema, naming the field', () => {
    const bad = { ...goal, budgetUsd: 'lots' };
    expect(() => createEvent({ type: 'goal.submitted', aggregateId: 'r1', producer: 'submitter', data: bad as never })).toThrow(
      /data\.budgetUsd/,
    );
  });

  it('refuses a producer that does not own the event type', () => {
    expect(() =>
      createEvent({ type: 'goal.submitted', aggregateId: 'r1', producer: 'grader', data: goal }),
    ).toThrow(/grader may not publish goal.submitted/);
  });

  it('refuses an unknown type, a wrong aggregate and a malformed envelope', () => {
    const event = createEvent({ type: 'goal.submitted', aggregateId: 'r1', producer: 'submitter', data: goal });
    expect(() => parseEvent({ ...event, type: 'goal.invented' })).toThrow(/unknown event type/);
    expect(() => parseEvent({ ...event, aggregate: 'rule' })).toThrow(/belongs to aggregate "run"/);
    expect(() => parseEvent({ ...event, id: 'nope' })).toThrow(/id/);
    expect(() => parseEvent('garbage')).toThrow(ValidationError);
  });
});

describe('upcasters', () => {
  it('upcasts a v1 goal.submitted (single role, budget) to v2 (roles, budgetUsd)', () => {
    const current = createEvent({ type: 'goal.submitted', aggregateId: 'r1', producer: 'submitter', data: goal });
    const { roles: _roles, budgetUsd: _budget, ...v1Data } = current.data;
    const v1 = { ...current, schemaVersion: 1, data: { ...v1Data, role: 'engineer', budget: 2.5 } };
    const upcast = parseEvent(v1);
    expect(upcast.schemaVersion).toBe(2);
    if (upcast.type !== 'goal.submitted') throw new Error('wrong type');
    expect(upcast.data.roles).toEqual(['engineer']);
    expect(upcast.data.budgetUsd).toBe(2.5);
  });

  it('upcasts v1 trace steps (model | tool + sandbox tool) to what each step was', () => {
    const v1 = (step: number, data: Record<string, unknown>) => ({
      id: uuidv7(1_700_000_000_000 + step), type: 'trace.step', schemaVersion: 1, aggregate: 'run', aggregateId: 'r1',
      producer: 'executor', correlationId: 'r1', causationId: null, occurredAt: new Date(0).toISOString(),
      data: { taskId: 't1', iteration: 1, step, input: '', output: '', durationMs: 0, ...data },
    });
    const kinds = [
      v1(0, { kind: 'model', output: 'thinking' }),
      v1(1, { kind: 'tool', tool: 'read_file', input: 'src/a.ts' }),
      v1(2, { kind: 'tool', tool: 'write_file', input: 'src/a.ts' }),
      v1(3, { kind: 'tool', tool: 'run_command', input: 'npm test', exitCode: 1 }),
      v1(4, { kind: 'tool', tool: 'list_files', input: '.' }),
      v1(5, { kind: 'question', output: 'which API?' }),
    ].map((raw) => parseEvent(raw)).map((e) => (e.type === 'trace.step' ? [e.schemaVersion, e.data.kind, e.data.path ?? '', e.data.editedBy ?? ''] : []));
    expect(kinds).toEqual([
      [2, 'thought', '', ''], [2, 'read', 'src/a.ts', ''], [2, 'edit', 'src/a.ts', 'tool'], [2, 'command', '', ''],
      [2, 'search', '', ''], [2, 'question', '', ''],
    ]);
  });

  it('takes turn limits up to 10,000 and the import backend with its source', () => {
    const data = { ...goal, maxTurns: 10_000, backend: 'import' as const, source: { format: 'swe-agent' as const, ids: ['django__django-11099'], digest: 'a'.repeat(64) } };
    expect(createEvent({ type: 'goal.submitted', aggregateId: 'r1', producer: 'submitter', data }).data.maxTurns).toBe(10_000);
    expect(() => createEvent({ type: 'goal.submitted', aggregateId: 'r1', producer: 'submitter', data: { ...data, maxTurns: 10_001 } })).toThrow(/maxTurns/);
  });

  it('refuses a version newer than the build knows', () => {
    const current = createEvent({ type: 'goal.submitted', aggregateId: 'r1', producer: 'submitter', data: goal });
    expect(() => parseEvent({ ...current, schemaVersion: 3 })).toThrow(/newer than this build/);
  });
});
