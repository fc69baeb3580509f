import 'reflect-metadata';
import { createEvent, EventOf } from '@loopwright/events';
import { LoopMetrics } from '@loopwright/service';
import { openTestLog } from '@loopwright/testing';
import type { EventLog } from '@loopwright/eventlog';
import { RouterService } from './router.service';

/** The daily budget against requests that claim another day than the one they are routed on. */
describe('the router and the day a request claims', () => {
  let log: EventLog;
  let drop: () => Promise<void>;

  const before = process.env['LOOP_DAILY_BUDGET_USD'];

  beforeAll(async () => {
    // the ledger takes its daily limit when the log first opens it
    process.env['LOOP_DAILY_BUDGET_USD'] = '0.05';
    ({ log, drop } = await openTestLog('routerday', 'submitter'));
  });

  afterAll(async () => {
    if (before === undefined) delete process.env['LOOP_DAILY_BUDGET_USD'];
    else process.env['LOOP_DAILY_BUDGET_USD'] = before;
    await drop();
  });

  const request = (decisionId: string, occurredAt: Date) =>
    createEvent({
      type: 'decision.requested', aggregateId: 'run-day', producer: 'grader', occurredAt,
      data: {
        decisionId, key: 'grader:engineer:dimension:correctness', requester: 'grader', role: 'engineer', kind: 'dimension',
        item: 'correctness', estimatedUsd: 0.03, features: {},
      },
    });

  it('holds every decision against the day it is routed on: a request dated another day does not escape a spent daily budget', async () => {
    const router = new RouterService(log, new LoopMetrics('router'), { dailyBudgetUsd: 0.05, frontierModel: 'claude-sonnet-4-5' });
    const goal = await log.emit({
      type: 'goal.submitted', aggregateId: 'run-day', producer: 'submitter',
      data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 5 },
    });
    await router.openGoal(goal);
    await router.route(request('d-today', new Date()));
    await router.route(request('d-future', new Date('2099-01-01T00:00:00Z')));
    await router.route(request('d-past', new Date('2001-01-01T00:00:00Z')));

    const routed = new Map<string, EventOf<'decision.routed'>['data']>();
    const exhausted: EventOf<'budget.exhausted'>['data'][] = [];
    for (const e of await log.readRun('run-day')) if (e.type === 'decision.routed') routed.set(e.data.decisionId, e.data);
    for await (const stored of log.replay({ filter: `${log.config.subjectRoot}.budget.>` })) {
      if (stored.event?.type === 'budget.exhausted') exhausted.push(stored.event.data);
    }
    expect([...routed].map(([id, d]) => [id, d.tier])).toEqual([['d-today', 'frontier'], ['d-future', 'human'], ['d-past', 'human']]);
    const today = new Date().toISOString().slice(0, 10);
    expect(exhausted.map((e) => [e.scope, e.scopeId, e.decisionId])).toEqual([['day', today, 'd-future'], ['day', today, 'd-past']]);
  });
});
