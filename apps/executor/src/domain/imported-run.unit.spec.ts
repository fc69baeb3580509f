import { createEvent, LoopEvent } from '@loopwright/events';
import { decideExecutor, ExecutorIntent } from './decide';
import { foldRun } from './run-state';

const policy = { draftEstimateUsd: 0.25, editEstimateUsd: 0.05 };
const runId = 'imp-abc';
const taskId = `${runId}-engineer`;

const goal = createEvent({
  type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
  data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1, maxIterations: 2, backend: 'import' },
});
const started = createEvent({ type: 'task.started', aggregateId: runId, producer: 'submitter', data: { taskId, role: 'engineer', iteration: 1, allowedPaths: ['src/**'], maxTurns: 10 } });
const work = createEvent({
  type: 'work.produced', aggregateId: runId, producer: 'submitter',
  data: {
    workId: `${taskId}-w1`, taskId, role: 'engineer', iteration: 1, artifactDigest: '1'.repeat(64), files: [], claims: { testsPass: true, testsRun: true, summary: '' },
    finalMessage: '', testCommand: 'node t.js', allowedPaths: ['src/**'], endedBy: 'finished', turnsUsed: 3, maxTurns: 10,
  },
});

function grade(passed: boolean, fixType: 'local' | 'tier-ceiling' = 'local') {
  return createEvent({
    type: 'grade.recorded', aggregateId: runId, producer: 'grader',
    data: {
      gradeId: 'g1', workId: `${taskId}-w1`, taskId, role: 'engineer', iteration: 1, passed, overall: passed ? 0.9 : 0.2,
      rubrics: [{
        rubricId: 'engineer.behavior', rubricVersion: 1, surface: 'trace', gates: [], dimensions: [], notScored: [], weightedAvg: null,
        overall: passed ? 0.9 : 0.2, capsApplied: [], passed,
        toReachNext: passed ? [] : [{ id: 'ran_tests_before_claim', current: false, target: true, delta: 'run the tests', owner: 'executor', fixType, honestyNote: '' }],
      }],
      rerun: { command: 'node t.js', exitCode: 0, output: '' }, costUsd: 0,
    },
  });
}

const when = (history: LoopEvent[], event: Parameters<typeof decideExecutor>[1]): ExecutorIntent[] => decideExecutor(foldRun(runId, history), event, policy);
const emitted = (intents: ExecutorIntent[]) => intents.flatMap((i) => (i.kind === 'emit' ? [i.event] : []));

/** No backend runs an imported run: its grade ends it, so the router releases whatever it still holds. */
describe('the executor and an imported run’s grade', () => {
  it('ends the run on a grade that passed', () => {
    const passed = grade(true);
    expect(emitted(when([goal, started, work, passed], passed)).map((e) => e.type)).toEqual(['task.completed', 'run.ended']);
  });

  it.each(['local', 'tier-ceiling'] as const)('ends the run on a grade that failed (%s), and requests no revision or review', (fixType) => {
    const failed = grade(false, fixType);
    const events = emitted(when([goal, started, work, failed], failed));
    expect(events.map((e) => e.type)).toEqual(['task.failed', 'run.ended']);
    expect(events[1].data).toMatchObject({ runId, status: 'stuck', reason: expect.stringMatching(/imported run is graded as it stands/) });
  });
});
