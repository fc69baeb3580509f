import { createEvent, LoopEvent } from '@loopwright/events';
import { keyStandings, keyWindows } from './scoreboard';

const goal = (runId: string): LoopEvent =>
  createEvent({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
    data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1, maxIterations: 1, maxTurns: 4 },
  }) as LoopEvent;

const completed = (runId: string, key: string, tier: 'frontier' | 'resident' | 'deterministic', costUsd: number, shadow = false): LoopEvent =>
  createEvent({
    type: 'decision.completed', aggregateId: runId, producer: 'grader',
    data: { decisionId: `${runId}:${key}:${shadow}`, key, tier, verdict: '5', confidence: 1, costUsd, tokens: { input: 0, output: 0 }, latencyMs: 0, shadow },
  }) as LoopEvent;

describe('where the decisions of each key went', () => {
  const events = [
    goal('r1'), goal('r2'), goal('r3'),
    completed('r1', 'grader:engineer:dimension:correctness', 'frontier', 0.01),
    completed('r2', 'grader:engineer:dimension:correctness', 'frontier', 0.01),
    completed('r3', 'grader:engineer:dimension:correctness', 'resident', 0.0001),
    completed('r3', 'grader:engineer:dimension:correctness', 'frontier', 0.02, true),
    completed('r2', 'executor:engineer:edit', 'frontier', 0.03),
    // a decision for a run the log never submitted is nobody's window
    completed('r9', 'executor:engineer:edit', 'frontier', 0.5),
  ];

  it('counts each key per window of runs and tier, leaving spot-checks out of the counts and their cost apart, and gives every key every window', () => {
    expect(keyWindows(events, 2)).toEqual({
      'executor:engineer:edit': [
        { frontier: 1, resident: 0, deterministic: 0, human: 0, costUsd: 0.03, spotCheckCostUsd: 0 },
        { frontier: 0, resident: 0, deterministic: 0, human: 0, costUsd: 0, spotCheckCostUsd: 0 },
      ],
      'grader:engineer:dimension:correctness': [
        { frontier: 2, resident: 0, deterministic: 0, human: 0, costUsd: 0.02, spotCheckCostUsd: 0 },
        { frontier: 0, resident: 1, deterministic: 0, human: 0, costUsd: 0.0001, spotCheckCostUsd: 0.02 },
      ],
    });
  });

  it('gives each key standing the cost of its decisions in the runs asked about, the spot-checks\' cost apart', () => {
    const requested = createEvent({
      type: 'decision.requested', aggregateId: 'r1', producer: 'grader',
      data: { decisionId: 'q', key: 'grader:engineer:dimension:correctness', requester: 'grader', role: 'engineer', kind: 'dimension', taskId: 't', estimatedUsd: 0.01, features: {} },
    }) as LoopEvent;
    const [last] = keyStandings([requested, ...events], new Set(['r3']));
    expect(last).toMatchObject({ key: 'grader:engineer:dimension:correctness', tier: 'frontier', answered: { frontier: 0, resident: 1 }, costUsd: 0.0001, spotCheckCostUsd: 0.02 });
    const all = keyStandings([requested, ...events]);
    expect(all.find((k) => k.key === 'grader:engineer:dimension:correctness')).toMatchObject({ answered: { frontier: 2, resident: 1 }, costUsd: 0.0201, spotCheckCostUsd: 0.02 });
  });
});
