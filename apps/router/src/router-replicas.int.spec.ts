import 'reflect-metadata';
import { createEvent, EventOf, Producer } from '@loopwright/events';
import { EventLog, LogConfig, natsCredentialsFromEnv, producerOf } from '@loopwright/eventlog';
import { LoopMetrics } from '@loopwright/service';
import { dropTestStream, testLogConfig } from '@loopwright/testing';
import { RouterService } from './router.service';

const KEY = 'grader:engineer:gate:claims_match_evidence';
const at = new Date();

/**
 * Two routers side by side, as two replicas of one deployment: each event type's durable hands a
 * message to one of them only, so whatever a router folds in memory from a durable the other never sees.
 */
describe('two router replicas', () => {
  const base = testLogConfig('routerreplicas');
  const configAs = (identity: 'router' | 'miner' | 'submitter'): LogConfig => ({
    ...base,
    producer: producerOf(identity) as Producer,
    ...natsCredentialsFromEnv(identity),
    duplicateWindowMs: 120_000,
    artifactBucket: `${base.streamName}_artifacts`,
  });
  const logs: EventLog[] = [];
  const open = async (identity: 'router' | 'miner' | 'operator') => {
    // the operator provisions the stream and buckets, and submits the goal
    const config = identity === 'operator' ? { ...configAs('submitter'), user: base.user, pass: base.pass } : configAs(identity);
    const log = await EventLog.open(config);
    logs.push(log);
    return log;
  };
  const routerConfig = { dailyBudgetUsd: 100, frontierModel: 'claude-sonnet-4-5' };

  afterAll(async () => {
    await Promise.all(logs.map((log) => log.close()));
    await dropTestStream(base.natsUrl, base.streamName);
  });

  const request = (decisionId: string) =>
    createEvent({
      type: 'decision.requested', aggregateId: 'run-r', producer: 'grader', occurredAt: at,
      data: {
        decisionId, key: KEY, requester: 'grader', role: 'engineer', kind: 'gate', item: 'claims_match_evidence',
        estimatedUsd: 0.02, features: { claims_tests_pass: true, rerun_passed: false },
      },
    });

  it('both route by a rule promoted while they run (a durable would hand its rule.promoted to one of them only)', async () => {
    const submitter = await open('operator');
    const [logA, logB] = [await open('router'), await open('router')];
    const miner = await open('miner');
    const a = new RouterService(logA, new LoopMetrics('router'), routerConfig);
    const b = new RouterService(logB, new LoopMetrics('router'), routerConfig);
    const goal = await submitter.emit({
      type: 'goal.submitted', aggregateId: 'run-r', producer: 'submitter',
      data: { goalId: 'g', title: 't', description: 'd', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node t.js', budgetUsd: 5, labels: {} },
    });
    await a.openGoal(goal);
    await b.route(request('d-before')); // b is running before the rule exists

    await miner.emit({
      type: 'rule.promoted', aggregateId: 'r-1', producer: 'miner',
      data: {
        ruleId: 'r-1', key: KEY, tier: 'deterministic', predicate: { feature: 'rerun_passed', eq: false },
        verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', spotCheckRate: 0,
      },
    });
    await a.route(request('d-a'));
    await b.route(request('d-b'));

    const routed = new Map<string, EventOf<'decision.routed'>['data']>();
    for (const e of await submitter.readRun('run-r')) if (e.type === 'decision.routed') routed.set(e.data.decisionId, e.data);
    expect(routed.get('d-before')).toMatchObject({ tier: 'frontier' });
    expect(routed.get('d-a')).toMatchObject({ tier: 'deterministic', ruleId: 'r-1', ruleVerdict: 'fail' });
    expect(routed.get('d-b')).toMatchObject({ tier: 'deterministic', ruleId: 'r-1', ruleVerdict: 'fail' });
  });
});
