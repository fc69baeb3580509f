import { foldEvents } from '@loopwright/core';
import { createEvent, EventDataInput, LoopEvent, NewEvent, RubricGrade } from '@loopwright/events';
import { loadRubrics } from '@loopwright/rubrics';
import { evolveGrading, initialGradingState } from './grading-state';
import { reviewsToRead, runEnding, runGradeEvent } from './run-grading';

const rubrics = loadRubrics();
const loop = rubrics.find((r) => r.id === 'loop.run')!;
const RUN = 'run-r';
const at = <T extends LoopEvent['type']>(type: T, producer: NewEvent<T>['producer'], data: EventDataInput<T>) => createEvent({ type, aggregateId: RUN, producer, data } as NewEvent<T>) as LoopEvent;
const fold = (events: LoopEvent[]) => foldEvents({ initialState: initialGradingState, evolve: (s, e: LoopEvent) => evolveGrading(rubrics, s, e) }, events);

const goal = (roles: ('engineer' | 'tester')[]) => at('goal.submitted', 'submitter', { goalId: 'g', title: 't', description: 'd', roles, allowedPaths: ['**'], testCommand: 'node t.js', budgetUsd: 1 });
const started = (role: string, iteration: number) => at('task.started', 'executor', { taskId: `${RUN}-${role}`, role: role as 'engineer', iteration, allowedPaths: ['**'], maxTurns: 10 });
const implementation = (passed: boolean, correctness: number): RubricGrade => ({
  rubricId: 'implementation', rubricVersion: 1, surface: 'output', gates: [], dimensions: [], notScored: [], weightedAvg: null, overall: passed ? 0.9 : 0.3, capsApplied: [], passed,
  toReachNext: correctness < 5 ? [{ id: 'correctness', current: correctness, target: correctness + 1, delta: 'd', owner: 'executor', fixType: 'local', honestyNote: '' }] : [],
});
function iteration(role: string, n: number, passed: boolean, correctness: number): LoopEvent[] {
  const workId = `${RUN}-${role}-w${n}`;
  return [
    at('work.produced', 'executor', { workId, taskId: `${RUN}-${role}`, role: role as 'engineer', iteration: n, artifactDigest: 'a'.repeat(64), files: [], claims: { testsPass: false, testsRun: false }, finalMessage: '', testCommand: 't', allowedPaths: ['**'], endedBy: 'finished', turnsUsed: 1, maxTurns: 10 }),
    at('grade.recorded', 'grader', { gradeId: `${workId}-grade`, workId, taskId: `${RUN}-${role}`, role: role as 'engineer', iteration: n, passed, overall: passed ? 0.9 : 0.3, rubrics: [implementation(passed, correctness)], rerun: { command: 't', exitCode: 0, output: '' }, costUsd: 0 }),
  ];
}

describe('the run rubric', () => {
  it('waits while the run goes on, and grades it once the last role completed', () => {
    const history = [goal(['engineer']), started('engineer', 1), ...iteration('engineer', 1, false, 3), started('engineer', 2), ...iteration('engineer', 2, true, 5)];
    expect(runEnding(fold(history))).toBeUndefined();
    const completed = at('task.completed', 'executor', { taskId: `${RUN}-engineer`, role: 'engineer', iterations: 2, gradeId: `${RUN}-engineer-w2-grade`, overall: 0.9 });
    const event = runGradeEvent(fold([...history, completed]), loop, new Map())!;
    expect(event).toMatchObject({ type: 'run.graded', producer: 'grader', causationId: completed.id, data: { outcome: 'done', endedBy: { type: 'task.completed', eventId: completed.id } } });
    expect(event.data.features).toMatchObject({ run_roles_unfinished: 0, run_silent_acceptances: 0, run_feedback_items: 1, run_feedback_moved_ratio: 1, run_extra_iterations: 1 });
    expect(event.data.grade).toMatchObject({ rubricId: 'loop.run', passed: true, gates: [{ id: 'goal_met', passed: true, tier: 'deterministic' }, { id: 'no_silent_acceptance', passed: true }] });
    const graded = createEvent(event) as LoopEvent;
    expect(runGradeEvent(fold([...history, completed, graded]), loop, new Map())).toBeNull();
  });

  it('fails a run whose failing work went on without a person, and names the roles that never finished', () => {
    const history = [goal(['engineer', 'tester']), started('engineer', 1), ...iteration('engineer', 1, false, 2)];
    const wavedOn = at('task.completed', 'executor', { taskId: `${RUN}-engineer`, role: 'engineer', iterations: 1, gradeId: `${RUN}-engineer-w1-grade`, overall: 0.3 });
    const testerFailed = at('task.failed', 'executor', { taskId: `${RUN}-tester`, role: 'tester', iterations: 1, reason: 'no model may draft', reviewId: 'rv-1' });
    const state = fold([...history, wavedOn, started('tester', 1), testerFailed]);
    expect(reviewsToRead(state)).toEqual(['rv-1']);
    const event = runGradeEvent(state, loop, new Map())!;
    expect(event.data).toMatchObject({ outcome: 'failed', features: { run_roles_unfinished: 1, run_unfinished_list: 'tester', run_silent_acceptances: 1, run_silent_list: 'engineer' } });
    expect(event.data.grade).toMatchObject({ passed: false, overall: 0, capsApplied: [{ gate: 'goal_met', cap: 0 }, { gate: 'no_silent_acceptance', cap: 0 }] });
    expect(event.data.grade.toReachNext.find((e) => e.id === 'goal_met')!.delta).toBe('Finish the roles that did not: tester.');
  });

  it("counts failing work a person accepted as accepted, not as silent", () => {
    const history = [goal(['engineer']), started('engineer', 1), ...iteration('engineer', 1, false, 2)];
    const failed = at('task.failed', 'executor', { taskId: `${RUN}-engineer`, role: 'engineer', iterations: 1, reason: 'handed to a person', reviewId: 'rv-2' });
    const accepted = at('task.completed', 'executor', { taskId: `${RUN}-engineer`, role: 'engineer', iterations: 1, gradeId: `${RUN}-engineer-w1-grade`, overall: 0.3 });
    const event = runGradeEvent(fold([...history, failed, accepted]), loop, new Map([['rv-2', 'accept']]))!;
    expect(event.data).toMatchObject({ outcome: 'done', features: { run_silent_acceptances: 0 } });
  });

  it('is never applied to an imported run, or on task events from anyone but the executor', () => {
    const imported = at('goal.submitted', 'submitter', { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['**'], testCommand: 't', budgetUsd: 1, backend: 'import' });
    const done = at('task.completed', 'executor', { taskId: `${RUN}-engineer`, role: 'engineer', iterations: 1, gradeId: 'g', overall: 1 });
    expect(runEnding(fold([imported, done]))).toBeUndefined();
    const forged = { ...at('task.completed', 'executor', { taskId: `${RUN}-engineer`, role: 'engineer', iterations: 1, gradeId: 'g', overall: 1 }), producer: 'submitter' } as LoopEvent;
    expect(runEnding(fold([goal(['engineer']), forged]))).toBeUndefined();
  });
});
