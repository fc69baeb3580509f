import { createEvent, EventOf, LoopEvent, NewEvent } from '@loopwright/events';
import { routeDecision, spotCheckDraw } from './route-decision';
import { evolveRouter, initialRouterState, RouterState } from './router-state';

const config = { frontierModel: 'claude-sonnet-4-5' };
const at = new Date('2026-11-25T10:00:00Z');
const DAY = '2026-11-25';

function given(events: LoopEvent[], dailyLimitUsd = 100): RouterState {
  const state = initialRouterState(dailyLimitUsd);
  for (const e of events) evolveRouter(state, e);
  return state;
}

const goal = (runId: string, budgetUsd: number, labels: Record<string, string> = {}) =>
  createEvent({
    type: 'goal.submitted', aggregateId: runId, producer: 'submitter', occurredAt: at,
    data: { goalId: runId, title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd, labels },
  });

const request = (runId: string, decisionId: string, extra: Partial<EventOf<'decision.requested'>['data']> = {}) =>
  createEvent({
    type: 'decision.requested', aggregateId: runId, producer: 'grader', occurredAt: at,
    data: {
      decisionId, key: 'grader:engineer:gate:claims_match_evidence', requester: 'grader', role: 'engineer', kind: 'gate',
      item: 'claims_match_evidence', estimatedUsd: 0.02, features: { claims_tests_pass: true, rerun_passed: false }, ...extra,
    },
  });

const promoted = (data: Partial<EventOf<'rule.promoted'>['data']> = {}) =>
  createEvent({
    type: 'rule.promoted', aggregateId: 'r-1', producer: 'miner', occurredAt: at,
    data: {
      ruleId: 'r-1', key: 'grader:engineer:gate:claims_match_evidence', tier: 'deterministic',
      predicate: { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'rerun_passed', eq: false }] },
      verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', spotCheckRate: 0, ...data,
    },
  });

function routedOf(events: NewEvent<'decision.routed' | 'budget.exhausted' | 'review.requested'>[]) {
  const routed = events.find((e) => e.type === 'decision.routed') as NewEvent<'decision.routed'>;
  return routed.data;
}

describe('routeDecision', () => {
  it('waits (retryably) when the goal has not reached the router yet', () => {
    expect(routeDecision(given([]), request('run-1', 'd1'), config, DAY)).toMatchObject({ kind: 'wait' });
  });

  it('sends a decision with a built-in check to the deterministic tier at no cost', () => {
    const outcome = routeDecision(given([goal('run-1', 1)]), request('run-1', 'd1', { builtinCheck: 'thrashed' }), config, DAY);
    if (outcome.kind !== 'routed') throw new Error('not routed');
    expect(routedOf(outcome.events)).toMatchObject({ tier: 'deterministic', reservedUsd: 0, reason: 'built-in check thrashed' });
  });

  it('sends a key with no cheaper tier to the frontier and reserves its estimate', () => {
    const state = given([goal('run-1', 1)]);
    const outcome = routeDecision(state, request('run-1', 'd1'), config, DAY);
    if (outcome.kind !== 'routed') throw new Error('not routed');
    expect(routedOf(outcome.events)).toMatchObject({ tier: 'frontier', model: 'claude-sonnet-4-5', reservedUsd: 0.02 });
  });

  it('sends a key with an active mined rule to the deterministic tier with the rule verdict', () => {
    const state = given([goal('run-1', 1), promoted()]);
    const failing = routeDecision(state, request('run-1', 'd1'), config, DAY);
    const passing = routeDecision(state, request('run-1', 'd2', { features: { claims_tests_pass: true, rerun_passed: true } }), config, DAY);
    if (failing.kind !== 'routed' || passing.kind !== 'routed') throw new Error('not routed');
    expect(routedOf(failing.events)).toMatchObject({ tier: 'deterministic', ruleId: 'r-1', ruleVerdict: 'fail', reservedUsd: 0 });
    expect(routedOf(passing.events)).toMatchObject({ tier: 'deterministic', ruleVerdict: 'pass' });
  });

  it('goes back to the frontier once the rule is demoted', () => {
    const demoted = createEvent({
      type: 'rule.demoted', aggregateId: 'r-1', producer: 'miner',
      data: { ruleId: 'r-1', key: 'grader:engineer:gate:claims_match_evidence', reason: 'drift', disagreement: 0.2, n: 50 },
    });
    const outcome = routeDecision(given([goal('run-1', 1), promoted(), demoted]), request('run-1', 'd1'), config, DAY);
    if (outcome.kind !== 'routed') throw new Error('not routed');
    expect(routedOf(outcome.events).tier).toBe('frontier');
  });

  it('sends a key with a promoted resident model to the resident tier with its threshold', () => {
    const state = given([goal('run-1', 1), promoted({ tier: 'resident', predicate: undefined, modelId: 'res-7', confidenceThreshold: 0.9 })]);
    const outcome = routeDecision(state, request('run-1', 'd1'), config, DAY);
    if (outcome.kind !== 'routed') throw new Error('not routed');
    expect(routedOf(outcome.events)).toMatchObject({ tier: 'resident', model: 'res-7', confidenceThreshold: 0.9 });
  });

  it('spot-checks a share of retired decisions in shadow, at the configured rate', () => {
    const state = given([goal('run-1', 1000), promoted({ spotCheckRate: 0.25 })]);
    let shadows = 0;
    for (let i = 0; i < 2000; i++) {
      const outcome = routeDecision(state, request('run-1', `d${i}`), config, DAY);
      if (outcome.kind === 'routed' && routedOf(outcome.events).shadow) shadows++;
    }
    expect(shadows / 2000).toBeGreaterThan(0.21);
    expect(shadows / 2000).toBeLessThan(0.29);
    expect(spotCheckDraw('d1')).toBe(spotCheckDraw('d1'));
  });

  it('spot-checks every retired decision of an evaluation run (label shadowAll)', () => {
    const state = given([goal('run-eval', 10, { shadowAll: 'true' }), promoted({ spotCheckRate: 0 })]);
    const shadows = Array.from({ length: 50 }, (_, i) => routeDecision(state, request('run-eval', `e${i}`), config, DAY)).filter(
      (o) => o.kind === 'routed' && routedOf(o.events).shadow,
    );
    expect(shadows).toHaveLength(50);
  });

  it('never shadows drafting, not even in an evaluation run: a draft has no verdict to compare', () => {
    const drafting = promoted({ key: 'executor:engineer:draft', tier: 'resident', predicate: undefined, verdictWhenTrue: undefined, verdictWhenFalse: undefined, modelId: 'resident-drafter', spotCheckRate: 1 });
    const state = given([goal('run-eval', 10, { shadowAll: 'true' }), drafting]);
    const draft = request('run-eval', 'run-eval-engineer-draft-1', { key: 'executor:engineer:draft', requester: 'executor', kind: 'draft', item: undefined, features: { iteration: 1 } });
    const outcome = routeDecision(state, draft, config, DAY);
    expect(outcome.kind === 'routed' && routedOf(outcome.events)).toMatchObject({ tier: 'resident', model: 'resident-drafter', shadow: false, reservedUsd: 0 });
  });

  it('with a budget of zero makes no frontier call: the decision goes to a human, loudly', () => {
    const outcome = routeDecision(given([goal('run-0', 0)]), request('run-0', 'd1'), config, DAY);
    if (outcome.kind !== 'routed') throw new Error('not routed');
    expect(outcome.events.map((e) => e.type)).toEqual(['decision.routed', 'budget.exhausted', 'review.requested']);
    expect(routedOf(outcome.events)).toMatchObject({ tier: 'human', reservedUsd: 0 });
    expect(outcome.events[1].data).toMatchObject({ scope: 'goal', scopeId: 'run-0', limitUsd: 0 });
    expect(outcome.events[2].data).toMatchObject({ reason: 'budget', runId: 'run-0' });
  });

  it('counts reservations and settles them on completion', () => {
    const state = given([goal('run-1', 0.05)]);
    const first = routeDecision(state, request('run-1', 'd1'), config, DAY);
    if (first.kind !== 'routed') throw new Error('not routed');
    const routedEvent = createEvent({ ...(first.events[0] as NewEvent<'decision.routed'>), occurredAt: at });
    evolveRouter(state, routedEvent);
    evolveRouter(state, routedEvent);
    expect(state.goals.get('run-1')).toMatchObject({ reservedUsd: 0.02, spentUsd: 0 });
    const second = routeDecision(state, request('run-1', 'd2'), config, DAY);
    if (second.kind !== 'routed') throw new Error('not routed');
    evolveRouter(state, createEvent({ ...(second.events[0] as NewEvent<'decision.routed'>), occurredAt: at }));
    const third = routeDecision(state, request('run-1', 'd3'), config, DAY);
    if (third.kind !== 'routed') throw new Error('not routed');
    expect(routedOf(third.events).tier).toBe('human');

    const completed = createEvent({
      type: 'decision.completed', aggregateId: 'run-1', producer: 'grader', occurredAt: at,
      data: { decisionId: 'd1', key: 'grader:engineer:gate:claims_match_evidence', tier: 'frontier', verdict: 'fail', confidence: 0.9, costUsd: 0.005, tokens: { input: 10, output: 5 }, latencyMs: 3 },
    });
    evolveRouter(state, completed);
    evolveRouter(state, completed);
    expect(state.goals.get('run-1')!.spentUsd).toBeCloseTo(0.005);
    expect(state.goals.get('run-1')!.reservedUsd).toBeCloseTo(0.02);
    expect(state.days.get('2026-11-25')!.spentUsd).toBeCloseTo(0.005);
  });

  it('falls back to a human when the daily budget is spent, naming the day', () => {
    const outcome = routeDecision(given([goal('run-1', 10)], 0.01), request('run-1', 'd1'), config, DAY);
    if (outcome.kind !== 'routed') throw new Error('not routed');
    expect(outcome.events[1].data).toMatchObject({ scope: 'day', scopeId: '2026-11-25' });
  });
});
