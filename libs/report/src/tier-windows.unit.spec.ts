import { createEvent, LoopEvent } from '@loopwright/events';
import { runsInWindow, tierWindows } from './tier-windows';

const goal = (runId: string): LoopEvent =>
  createEvent({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
    data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 1, maxIterations: 1, maxTurns: 4 },
  }) as LoopEvent;

const completed = (runId: string, tier: 'frontier' | 'resident', costUsd: number, shadow = false): LoopEvent =>
  createEvent({
    type: 'decision.completed', aggregateId: runId, producer: 'grader',
    data: { decisionId: `${runId}:${tier}:${shadow}`, key: 'grader:engineer:dimension:correctness', tier, verdict: '5', confidence: 1, costUsd, tokens: { input: 0, output: 0 }, latencyMs: 0, shadow },
  }) as LoopEvent;

describe('tierWindows', () => {
  it('leaves the spot-checks out of the shares and counts what they cost apart', () => {
    const events = [goal('r1'), goal('r2'), completed('r1', 'frontier', 0.01), completed('r2', 'resident', 0.0002), completed('r2', 'frontier', 0.01, true)];

    expect(tierWindows(events, 2)).toEqual([
      { runs: '1-2', decisions: 2, frontierShare: 0.5, residentShare: 0.5, deterministicShare: 0, humanShare: 0, costUsd: 0.0051, spotCheckCostUsd: 0.005 },
    ]);
  });
});

describe('runsInWindow', () => {
  it('counts the runs a window holds, a short last window included', () => {
    expect(runsInWindow({ runs: '271-300' })).toBe(30);
    expect(runsInWindow({ runs: '1-1' })).toBe(1);
    expect(runsInWindow({ runs: '291-295' })).toBe(5);
  });
});
