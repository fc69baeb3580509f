import { dropTestStream, testLogConfig } from '@loopwright/testing';
import {
  BudgetLedger, budgetBucketOf, EventLog, LogConfig, natsCredentialsFromEnv, NatsIdentity, passwordVariable, producerOf, remainingMicros, reservedMicros, startNatsWithIdentities, toUsd,
} from './index';

const DAY = '2026-12-05';

describe('the budget ledger under contention', () => {
  const base = testLogConfig('budgets');
  const configAs = (identity: 'router' | 'executor'): LogConfig => ({
    ...base,
    producer: producerOf(identity),
    ...natsCredentialsFromEnv(identity),
    duplicateWindowMs: 120_000,
    artifactBucket: `${base.streamName}_artifacts`,
  });
  const logs: EventLog[] = [];
  const open = async (config: LogConfig) => {
    const log = await EventLog.open(config);
    logs.push(log);
    return log;
  };

  beforeAll(async () => {
    await open({ ...base, producer: 'submitter', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` });
  });

  afterAll(async () => {
    await Promise.all(logs.map((log) => log.close()));
    await dropTestStream(base.natsUrl, base.streamName);
  });

  it('two routers holding money for one goal at once never hold past its limit, and settle what was spent', async () => {
    const [a, b] = await Promise.all([open(configAs('router')), open(configAs('router'))]);
    const [ledgerA, ledgerB] = await Promise.all([a.budgets(), b.budgets()]);
    await ledgerA.openGoal('run-1', 1, false);
    await ledgerB.openGoal('run-1', 50, false); // a second goal.submitted changes nothing

    const asks = Array.from({ length: 30 }, (_, i) => ({ ledger: i % 2 ? ledgerA : ledgerB, id: `d-${i}` }));
    const granted = await Promise.all(asks.map(({ ledger, id }) => ledger.hold('run-1', id, 0.15, DAY)));

    expect(granted.filter(Boolean)).toHaveLength(6);
    const account = (await ledgerA.goal('run-1'))!;
    expect(toUsd(reservedMicros(account))).toBeCloseTo(0.9, 9);
    expect(remainingMicros(account)).toBeGreaterThanOrEqual(0);
    expect((await ledgerB.day(DAY)).reservedMicros).toBe(reservedMicros(account));

    const heldIds = asks.filter((_, i) => granted[i]).map((ask) => ask.id);
    await Promise.all(heldIds.map((id, i) => (i % 2 ? ledgerA : ledgerB).settle('run-1', id, id, 0.1, DAY)));
    await ledgerA.settle('run-1', heldIds[0], heldIds[0], 0.1, DAY); // redelivered: counted once
    const settled = (await ledgerB.goal('run-1'))!;
    expect(settled.spentMicros).toBe(600_000);
    expect(reservedMicros(settled)).toBe(0);
    expect(await ledgerA.day(DAY)).toMatchObject({ spentMicros: 600_000, reservedMicros: 0 });
  });

  it('holds a batch of decisions all or none, and settles a batch once, against the goal and the day', async () => {
    const [a, b] = await Promise.all([open(configAs('router')), open(configAs('router'))]);
    const [ledgerA, ledgerB] = await Promise.all([a.budgets(), b.budgets()]);
    await ledgerA.openGoal('run-batch', 1, false);
    const dayBefore = await ledgerA.day(DAY);
    const batch = (prefix: string) => Array.from({ length: 4 }, (_, i) => ({ decisionId: `${prefix}-${i}`, usd: 0.2, day: DAY }));

    // two batches of $0.80 contend for a $1 goal: exactly one is held, whole
    const granted = await Promise.all([ledgerA.holdAll('run-batch', batch('a')), ledgerB.holdAll('run-batch', batch('b'))]);
    expect(granted.filter(Boolean)).toHaveLength(1);
    const winner = granted[0] ? 'a' : 'b';
    const held = (await ledgerA.goal('run-batch'))!;
    expect(Object.keys(held.open).sort()).toEqual(batch(winner).map((h) => h.decisionId));
    expect(reservedMicros(held)).toBe(800_000);
    expect((await ledgerA.day(DAY)).reservedMicros - dayBefore.reservedMicros).toBe(800_000);
    // holding what is held changes nothing
    expect(await ledgerB.holdAll('run-batch', batch(winner))).toBe(true);
    expect(reservedMicros((await ledgerA.goal('run-batch'))!)).toBe(800_000);

    const settlements = batch(winner).map((h) => ({ settlementId: h.decisionId, decisionId: h.decisionId, costUsd: 0.05, day: DAY }));
    await ledgerA.settleAll('run-batch', settlements);
    await ledgerB.settleAll('run-batch', settlements); // redelivered: counted once
    const settled = (await ledgerA.goal('run-batch'))!;
    expect(settled.spentMicros).toBe(200_000);
    expect(reservedMicros(settled)).toBe(0);
    const day = await ledgerA.day(DAY);
    expect(day.spentMicros - dayBefore.spentMicros).toBe(200_000);
    expect(day.reservedMicros - dayBefore.reservedMicros).toBe(0);
  });

  it('gives a batch back on the goal when its day cannot cover it', async () => {
    const log = await open(configAs('router'));
    // a ledger whose days not yet written have a limit of $1
    const ledger = await BudgetLedger.open(log.nc, budgetBucketOf(log.config), 1);
    await ledger.openGoal('run-daycap', 5, false);
    const day = '2026-12-06';
    expect(await ledger.holdAll('run-daycap', [{ decisionId: 'x', usd: 0.6, day }, { decisionId: 'y', usd: 0.6, day }])).toBe(false);
    expect(reservedMicros((await ledger.goal('run-daycap'))!)).toBe(0);
    expect((await ledger.day(day)).reservedMicros).toBe(0);
    expect(await ledger.holdAll('run-daycap', [{ decisionId: 'x', usd: 0.6, day }])).toBe(true);
  });

  it('spends call by call inside a decision: a call the rest of the budget cannot cover is refused, and a retried session counts both attempts', async () => {
    const router = await (await open(configAs('router'))).budgets();
    const executor = await (await open(configAs('executor'))).budgets();
    await router.openGoal('run-2', 0.5, false);
    expect(await router.hold('run-2', 'draft', 0.25, DAY)).toBe(true);

    let calls = 0;
    while (await executor.hold('run-2', 'draft', 0.1, DAY)) {
      await executor.charge('run-2', 'draft', 0.1);
      calls++;
    }
    expect(calls).toBe(5);
    // the session's first attempt was abandoned after two calls; the retry reports its own three
    await router.settle('run-2', 'draft', 'draft', 0.3, DAY);
    const account = (await router.goal('run-2'))!;
    expect(account.spentMicros).toBe(500_000);
    expect(remainingMicros(account)).toBe(0);
  });

  it('is open only to the identities that hold or spend budgets, on a server with the generated permissions', async () => {
    const scope = { streamName: 'LEDGER', subjectRoot: 'ledger', objectStoreBucket: 'LEDGER_artifacts' };
    const nats = await startNatsWithIdentities(scope);
    const own = (identity: NatsIdentity): LogConfig => ({
      natsUrl: nats.server.url, streamName: scope.streamName, subjectRoot: scope.subjectRoot, artifactBucket: scope.objectStoreBucket,
      duplicateWindowMs: 120_000, producer: identity === 'operator' ? 'submitter' : producerOf(identity), user: identity, pass: nats.env[passwordVariable(identity)],
    });
    try {
      await open(own('operator'));
      const router = await (await open(own('router'))).budgets();
      await router.openGoal('run-3', 1, false);
      const miner = await open(own('miner'));
      await expect(miner.budgets()).rejects.toThrow(/may not create it/);
      expect(await (await open(own('grader'))).budgets()).toBeInstanceOf(BudgetLedger);
      expect(reservedMicros((await router.goal('run-3'))!)).toBe(0);
    } finally {
      await Promise.all(logs.splice(0).map((log) => log.close()));
      await nats.stop();
    }
  }, 60_000);
});
