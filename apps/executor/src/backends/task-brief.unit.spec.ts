import { createEvent, GoalSubmitted, LoopEvent } from '@loopwright/events';
import type { AgentAssignment } from '../domain/decide';
import { handoffsOf, taskBrief } from './task-brief';

const goal = GoalSubmitted.parse({
  goalId: 'g', title: 'Ship sum', description: 'sum(a, b)', roles: ['planner', 'engineer'], allowedPaths: ['src/**'], testCommand: 'npm test', budgetUsd: 1,
});
const assignment: AgentAssignment = {
  runId: 'r', taskId: 'r-engineer', role: 'engineer', iteration: 2, decisionId: 'd', key: 'executor:engineer:revise', tier: 'frontier',
  feedback: [{ id: 'ran_tests', current: false, target: true, delta: 'run the tests before claiming they pass', owner: 'executor', fixType: 'local', honestyNote: '' }],
  causationId: 'c',
};
const work = (taskId: string, role: 'planner' | 'engineer', iteration: number, finalMessage: string) =>
  createEvent({
    type: 'work.produced', aggregateId: 'r', producer: 'executor',
    data: {
      workId: `${taskId}-w${iteration}`, taskId, role, iteration, artifactDigest: 'a'.repeat(64), files: [], claims: { testsPass: false, testsRun: false },
      finalMessage, testCommand: 'npm test', allowedPaths: ['**'], endedBy: 'finished', turnsUsed: 1, maxTurns: 5,
    },
  });

describe('the brief an agent runtime’s session opens with', () => {
  it('carries the goal, the last work of each completed role before this one, and the grader’s feedback', () => {
    const events: LoopEvent[] = [
      work('r-planner', 'planner', 1, 'first plan'),
      work('r-planner', 'planner', 2, '## Plan\n1. write sum\n2. test it'),
      createEvent({ type: 'task.completed', aggregateId: 'r', producer: 'executor', data: { taskId: 'r-planner', role: 'planner', iterations: 2, gradeId: 'g1', overall: 0.9 } }),
      work('r-engineer', 'engineer', 1, 'my own last attempt'),
    ];
    const handoffs = handoffsOf(events, assignment);
    expect(handoffs).toEqual([{ role: 'planner', finalMessage: '## Plan\n1. write sum\n2. test it' }]);
    const brief = taskBrief(goal, assignment, handoffs);
    expect(brief).toContain('Goal: Ship sum');
    expect(brief).toContain('- [ran_tests] run the tests before claiming they pass');
    expect(brief).toContain('### planner\n## Plan\n1. write sum');
    expect(brief).not.toContain('first plan');
    expect(brief).not.toContain('my own last attempt');
  });
});
