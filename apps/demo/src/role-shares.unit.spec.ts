import { createEvent, LoopEvent } from '@loopwright/events';
import { pipelineFigures } from './role-shares';

const completed = (key: string, tier: 'frontier' | 'resident' | 'deterministic', shadow = false) =>
  createEvent({ type: 'decision.completed', aggregateId: 'r', producer: key.startsWith('grader') ? 'grader' : 'executor', data: { decisionId: `${key}-${tier}-${shadow}`, key, tier, verdict: 'pass', confidence: 1, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0, shadow } });

const graded = (role: 'tester' | 'engineer', passed: boolean, route?: { fixType: 'local' | 'upstream-structural' | 'tier-ceiling'; stage?: 'engineer' }) =>
  createEvent({
    type: 'grade.recorded', aggregateId: 'r', producer: 'grader',
    data: {
      gradeId: `g-${role}-${String(passed)}`, workId: 'w', taskId: `r-${role}`, role, iteration: 1, passed, overall: passed ? 1 : 0, costUsd: 0, rerun: { command: 't', exitCode: 0, output: '' },
      rubrics: [{ rubricId: 'release-gate', rubricVersion: 1, surface: 'output', gates: [], dimensions: [], notScored: [], weightedAvg: null, overall: 0, capsApplied: [], passed,
        toReachNext: passed ? [] : [{ id: 'gate_decision_pass', current: false, target: true, delta: 'd', owner: 'executor', fixType: route?.fixType ?? 'local', honestyNote: '' }] }],
      ...(route ? { route: { ...route, items: ['gate_decision_pass'], reason: 'r' } } : {}),
    },
  });

describe('the demo\'s figures per role', () => {
  it('splits decisions by the role their key names, leaves spot-checks out, and counts grades, routes and how runs ended', () => {
    const events: LoopEvent[] = [
      completed('grader:tester:gate:tier_order', 'deterministic'),
      completed('grader:tester:dimension:coverage', 'frontier'),
      completed('grader:tester:dimension:coverage', 'frontier', true),
      completed('executor:engineer:draft', 'resident'),
      graded('tester', false, { fixType: 'upstream-structural', stage: 'engineer' }),
      graded('tester', true),
      createEvent({ type: 'run.ended', aggregateId: 'r', producer: 'executor', data: { runId: 'r', status: 'done', reason: 'all passed', tasks: [] } }),
    ];
    const figures = pipelineFigures(events);
    expect(figures.roles.map((r) => [r.role, r.decisions, r.share.frontier, r.share.resident, r.share.deterministic])).toEqual([
      ['engineer', 1, 0, 1, 0],
      ['tester', 2, 0.5, 0, 0.5],
    ]);
    expect(figures.roles[1]).toMatchObject({ grades: 2, passed: 1, routes: { local: 0, upstream: 1, tierCeiling: 0 }, topFailing: [['release-gate/gate_decision_pass', 1]] });
    expect(figures.upstreamTo).toEqual({ engineer: 1 });
    expect(figures.runEnds).toEqual({ done: 1, stuck: 0, 'gate-failed': 0, 'blocked-on-questions': 0 });
  });
});
