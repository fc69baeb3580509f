import 'reflect-metadata';
import { createEvent, EventOf, LoopEvent, spendKeyOf } from '@loopwright/events';
import { LoopMetrics } from '@loopwright/service';
import { openTestLog } from '@loopwright/testing';
import { BudgetLedger, reservedMicros, type EventLog } from '@loopwright/eventlog';
import { RouterService } from './router.service';

/** The router against events it did not expect: each is idempotent or refused, never applied twice. */
describe('the router and unexpected events', () => {
  let log: EventLog;
  let drop: () => Promise<void>;
  let router: RouterService;
  let ledger: BudgetLedger;

  beforeAll(async () => {
    ({ log, drop } = await openTestLog('routerunexpected', 'submitter'));
    router = new RouterService(log, new LoopMetrics('router'), { dailyBudgetUsd: 500, frontierModel: 'claude-sonnet-4-5' });
    ledger = await log.budgets();
  });

  afterAll(() => drop());

  const openGoal = async (runId: string) => {
    const goal = await log.emit({
      type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
      data: { goalId: runId, title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 2 },
    });
    await router.openGoal(goal);
  };
  const draft = (runId: string, decisionId: string) =>
    log.emit({
      type: 'decision.requested', aggregateId: runId, producer: 'executor',
      data: { decisionId, key: 'executor:engineer:draft', requester: 'executor', role: 'engineer', kind: 'draft', taskId: `${runId}-engineer`, estimatedUsd: 0.4 },
    });
  const completed = (runId: string, decisionId: string, costUsd: number) =>
    createEvent({
      type: 'decision.completed', aggregateId: runId, producer: 'executor',
      data: { decisionId, key: 'executor:engineer:draft', tier: 'frontier', verdict: 'done', confidence: 1, costUsd, tokens: { input: 1, output: 1 }, latencyMs: 1 },
    });
  /** The same event under a new id: a replay, or a copy from a producer allowed to publish it. */
  const copy = <E extends LoopEvent>(event: E): E => createEvent({ ...event, id: undefined, occurredAt: new Date(event.occurredAt) } as never) as E;
  const routings = async (runId: string) =>
    (await log.readRun(runId)).filter((e): e is EventOf<'decision.routed'> & { seq: number } => e.type === 'decision.routed').map((e) => e.data.decisionId);
  const standing = async (runId: string) => {
    const account = (await ledger.goal(runId))!;
    return { spent: account.spentMicros, held: reservedMicros(account) };
  };

  it('holds and routes a request delivered twice, or copied under a new id, once', async () => {
    await openGoal('twice-requested');
    const request = await draft('twice-requested', 'tr-d1');
    await router.route(request);
    await router.route(request);
    await router.route(copy(request));
    expect(await routings('twice-requested')).toEqual(['tr-d1']);
    expect(await standing('twice-requested')).toEqual({ spent: 0, held: 400_000 });
  });

  it('settles a completion delivered twice, or copied under a new id, once, and holds nothing for a request replayed after it', async () => {
    await openGoal('twice-completed');
    const request = await draft('twice-completed', 'tc-d1');
    await router.route(request);
    const done = completed('twice-completed', 'tc-d1', 0.3);
    await router.settle(done);
    await router.settle(done);
    await router.settle(copy(done));
    await router.route(copy(request));
    expect(await standing('twice-completed')).toEqual({ spent: 300_000, held: 0 });
  });

  it('counts a spot-check’s frontier call once, whichever completion is settled first', async () => {
    await openGoal('spot-checked');
    await router.route(await draft('spot-checked', 'sc-d1'));
    // The spot-check's judge holds and charges its call as it makes it (under its own key, as the
    // grader and the executor's editor do), before either completion is appended.
    await ledger.hold('spot-checked', spendKeyOf('sc-d1', true), 0.1, new Date().toISOString().slice(0, 10));
    await ledger.charge('spot-checked', spendKeyOf('sc-d1', true), 0.05);
    await router.settle(completed('spot-checked', 'sc-d1', 0.01));
    const shadow = completed('spot-checked', 'sc-d1', 0.05);
    await router.settle(createEvent({ ...shadow, id: undefined, occurredAt: new Date(shadow.occurredAt), data: { ...shadow.data, shadow: true } } as never));
    expect(await standing('spot-checked')).toEqual({ spent: 60_000, held: 0 });
  });

  it('releases a spot-check’s hold when the run ends before its shadow completion', async () => {
    await openGoal('spot-abandoned');
    const request = await draft('spot-abandoned', 'sa-d1');
    await router.route(request);
    await log.emit({
      type: 'decision.routed', aggregateId: 'spot-abandoned', producer: 'router',
      data: { decisionId: 'sa-d1', key: request.data.key, tier: 'resident', reason: 'a spot-check', reservedUsd: 0, shadow: true },
    });
    await ledger.hold('spot-abandoned', spendKeyOf('sa-d1', true), 0.1, new Date().toISOString().slice(0, 10));
    await router.settle(completed('spot-abandoned', 'sa-d1', 0));
    expect(await standing('spot-abandoned')).toEqual({ spent: 0, held: 100_000 });
    await router.endRun(await log.emit({
      type: 'run.ended', aggregateId: 'spot-abandoned', producer: 'executor',
      data: { runId: 'spot-abandoned', status: 'stuck', reason: 'r', tasks: [{ role: 'engineer', status: 'failed' }] },
    }));
    expect(await standing('spot-abandoned')).toEqual({ spent: 0, held: 0 });
  });

  it('counts the spend of a completion for a decision it never routed, once, and holds nothing for it', async () => {
    await openGoal('never-routed');
    const done = completed('never-routed', 'nr-d1', 0.2);
    await router.settle(done);
    await router.settle(copy(done));
    expect(await standing('never-routed')).toEqual({ spent: 200_000, held: 0 });
  });

  it('refuses to route a decision of a run it has no goal for, and routes the next run’s', async () => {
    const orphan = await draft('no-goal', 'ng-d1');
    await expect(router.route(orphan)).rejects.toThrow(/no-goal/);
    expect(await routings('no-goal')).toEqual([]);
    await openGoal('after-orphan');
    await router.route(await draft('after-orphan', 'ao-d1'));
    expect(await routings('after-orphan')).toEqual(['ao-d1']);
  });

  it('releases an ended run once, whatever the number of run.ended copies, and an end of an unknown run changes nothing', async () => {
    await openGoal('ended-twice');
    await router.route(await draft('ended-twice', 'et-d1'));
    const ended = await log.emit({
      type: 'run.ended', aggregateId: 'ended-twice', producer: 'executor',
      data: { runId: 'ended-twice', status: 'stuck', reason: 'r', tasks: [{ role: 'engineer', status: 'failed' }] },
    });
    await router.endRun(ended);
    await router.endRun(ended);
    await router.endRun(copy(ended));
    expect(await standing('ended-twice')).toEqual({ spent: 0, held: 0 });
    const unknown = createEvent({
      type: 'run.ended', aggregateId: 'unknown-run', producer: 'executor',
      data: { runId: 'unknown-run', status: 'stuck', reason: 'r', tasks: [{ role: 'engineer', status: 'failed' }] },
    });
    await router.endRun(unknown);
    expect(await ledger.goal('unknown-run')).toBeUndefined();
  });
});
