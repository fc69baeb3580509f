import 'reflect-metadata';
import { createEvent, EventOf } from '@loopwright/events';
import { LoopMetrics } from '@loopwright/service';
import { openTestLog } from '@loopwright/testing';
import { BudgetLedger, reservedMicros, type EventLog } from '@loopwright/eventlog';
import { RouterService } from './router.service';

/** Holds on decisions whose life ends without a completion: the run ends, or the routing is never acted on. */
describe('the router and holds no completion settles', () => {
  let log: EventLog;
  let drop: () => Promise<void>;
  let router: RouterService;
  let ledger: BudgetLedger;
  const today = () => new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    ({ log, drop } = await openTestLog('routerholds', 'submitter'));
    router = new RouterService(log, new LoopMetrics('router'), { dailyBudgetUsd: 500, frontierModel: 'claude-sonnet-4-5' });
    ledger = await log.budgets();
  });

  afterAll(() => drop());

  const openGoal = async (runId: string, budgetUsd: number) => {
    const goal = await log.emit({
      type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
      data: { goalId: runId, title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd },
    });
    await router.openGoal(goal);
  };

  /** An engineer's draft, requested by the executor: the router holds its estimate on the frontier. */
  const draft = (runId: string, decisionId: string) =>
    log.emit({
      type: 'decision.requested', aggregateId: runId, producer: 'executor',
      data: { decisionId, key: 'executor:engineer:draft', requester: 'executor', role: 'engineer', kind: 'draft', taskId: `${runId}-engineer`, estimatedUsd: 0.4 },
    });

  const runEnded = (runId: string) =>
    log.emit({
      type: 'run.ended', aggregateId: runId, producer: 'executor',
      data: { runId, status: 'stuck', reason: 'an event of the run was quarantined', tasks: [{ role: 'engineer', status: 'failed' }] },
    });

  const routedTier = async (runId: string, decisionId: string) =>
    (await log.readRun(runId)).filter((e): e is EventOf<'decision.routed'> & { seq: number } => e.type === 'decision.routed')
      .filter((e) => e.data.decisionId === decisionId).map((e) => e.data.tier);

  it('releases the holds of a run that ended before their decisions completed, on the goal and on the day', async () => {
    const dayBefore = (await ledger.day(today())).reservedMicros;
    await openGoal('held-end', 1);
    await router.route(await draft('held-end', 'held-end-d1'));
    expect(reservedMicros((await ledger.goal('held-end'))!)).toBe(400_000);

    await router.endRun(await runEnded('held-end'));

    const account = (await ledger.goal('held-end'))!;
    expect(account.open).toEqual({});
    expect(account.spentMicros).toBe(0);
    expect((await ledger.day(today())).reservedMicros).toBe(dayBefore);
  });

  it('holds nothing for a decision of an ended run routed after the end, and still holds for one requested after it', async () => {
    await openGoal('late', 0.5);
    // The router was down: the draft is requested, the run ends, then its routing comes.
    const waiting = await draft('late', 'late-d1');
    await router.endRun(await runEnded('late'));
    await router.route(waiting);
    expect((await ledger.goal('late'))!.open).toEqual({});

    // A person gives the task another iteration: its draft is held against the whole budget again.
    await router.route(await draft('late', 'late-d2'));
    expect(await routedTier('late', 'late-d2')).toEqual(['frontier']);
    expect(Object.keys((await ledger.goal('late'))!.open)).toEqual(['late-d2']);
  });

  it('counts the cost of a released decision that completes after all, once', async () => {
    await openGoal('completes-late', 1);
    await router.route(await draft('completes-late', 'cl-d1'));
    await router.endRun(await runEnded('completes-late'));
    const completed = createEvent({
      type: 'decision.completed', aggregateId: 'completes-late', producer: 'executor',
      data: { decisionId: 'cl-d1', key: 'executor:engineer:draft', tier: 'frontier', verdict: 'done', confidence: 1, costUsd: 0.25, tokens: { input: 1, output: 1 }, latencyMs: 1 },
    });
    await router.settle(completed);
    await router.settle(completed);
    const account = (await ledger.goal('completes-late'))!;
    expect([account.spentMicros, reservedMicros(account)]).toEqual([250_000, 0]);
  });
});
