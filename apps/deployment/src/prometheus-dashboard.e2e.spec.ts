import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { goalOf, loadWorkload } from '@loopwright/models';
import { ServiceProcess, startServiceProcess } from '@loopwright/service';
import { createTestSchema, dropTestStream, freePort, testBucketName, testLogConfig, TestSchema } from '@loopwright/testing';
import { dashboardQueries, pointAtTargets } from './prometheus-config';
import { RunningPrometheus, startPrometheus } from './prometheus-process';

/**
 * The Grafana dashboard against a real Prometheus: the repository's scrape configuration pointed at the four
 * services running as processes, a few simulated runs, and every PromQL expression of the dashboard evaluated
 * through Prometheus's HTTP API. The tier-share panel must show the projections' tier share for the same runs.
 */
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../..');
const WORKLOAD = loadWorkload(path.join(ROOT, 'workloads/engineer-e2e.yaml'));
const SERVICES = ['router', 'miner', 'grader', 'executor'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    const value = await read();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the Grafana dashboard on a real Prometheus', () => {
  let config: LogConfig;
  let log: EventLog;
  let schema: TestSchema;
  let db: Client;
  const services: ServiceProcess[] = [];
  let prometheus: RunningPrometheus | undefined;
  const measuredRuns: string[] = [];
  let results: { panel: string; refId: string; expr: string; result: { metric: Record<string, string>; value: [number, string] }[] }[] = [];

  const submit = (runId: string, goalId: string) => {
    const goal = goalOf(WORKLOAD, goalId);
    return log.append(createEvent({
      type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
      data: {
        goalId, title: goal.title, description: goal.description, roles: ['engineer'], allowedPaths: goal.allowedPaths,
        testCommand: goal.testCommand, seedFiles: goal.seedFiles, budgetUsd: 5, maxIterations: 3, maxTurns: 12, backend: 'sim',
        labels: { simGoal: goalId, simSeed: 'prometheus' },
      },
    }));
  };
  const ended = (runIds: string[]) => until(`runs ${runIds.join(', ')} to end`, async () => {
    for (const runId of runIds) {
      const run = await log.readRun(runId);
      if (!run.some((e) => e.type === 'task.completed' || e.type === 'task.failed')) return undefined;
    }
    return true;
  });
  const projected = () => until('the projections to catch up with the log', async () => {
    const { state } = await log.jsm.streams.info(config.streamName);
    const checkpoint = await db.query<{ m: string | null }>(`select min(last_seq)::text as m from ${db.escapeIdentifier(schema.schema)}.projection_checkpoint`).then(
      ({ rows }) => Number(rows[0]?.m ?? 0), () => 0);
    return checkpoint >= state.last_seq ? true : undefined;
  });

  beforeAll(async () => {
    const base = testLogConfig('prometheus_dashboard');
    config = { ...base, producer: 'submitter', duplicateWindowMs: 120_000, artifactBucket: testBucketName(base.streamName) };
    log = await EventLog.open(config);
    schema = await createTestSchema('prometheus_dashboard');
    db = new Client({ connectionString: schema.databaseUrl });
    await db.connect();
    const env = {
      NATS_URL: config.natsUrl, LOOP_STREAM: config.streamName, LOOP_SUBJECT_ROOT: config.subjectRoot, LOOP_ARTIFACT_BUCKET: config.artifactBucket,
      DATABASE_URL: schema.databaseUrl, LOOP_DB_SCHEMA: schema.schema, LOOP_MINER_PASS_MS: '1000',
      // the simulated agent and judge play the workload the goals come from
      LOOP_SIM_WORKLOAD: path.join(ROOT, 'workloads/engineer-e2e.yaml'),
    };
    for (const name of SERVICES) services.push(startServiceProcess(name, env));
    const urls = await Promise.all(services.map((s) => s.url));
    const targets = Object.fromEntries(SERVICES.map((name, i) => [name, new URL(urls[i]).host]));
    // The console serves the projections and exports none of the dashboard's metrics: it is left out here.
    const repoConfig = readFileSync(path.join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8').replace(/, console\]/, ']');
    prometheus = await startPrometheus(pointAtTargets(repoConfig, targets, '1s'), await freePort());

    // Warm-up runs: every series the runs produce exists in Prometheus before the measured window starts,
    // so that no increase is lost to a series' first sample.
    const warmUp = [0, 1, 2].map((i) => `warm-${i}-${config.streamName}`);
    await Promise.all(warmUp.map((runId, i) => submit(runId, WORKLOAD.goals[i % WORKLOAD.goals.length].id)));
    await ended(warmUp);
    await sleep(3_000);
    const windowStart = Date.now() / 1000;
    // increase() sees only samples inside its window: two scrapes before the first submission put each
    // series' starting value in it, or a run's first decisions (the drafts) would fall before its first sample.
    await sleep(2_500);

    for (let i = 0; i < 3; i++) measuredRuns.push(`run-${i}-${config.streamName}`);
    await Promise.all(measuredRuns.map((runId, i) => submit(runId, WORKLOAD.goals[i % WORKLOAD.goals.length].id)));
    await ended(measuredRuns);
    await projected();
    await sleep(3_000);
    const at = Date.now() / 1000;
    const window = `${Math.ceil(at - windowStart) + 1}s`;
    const queries = dashboardQueries(readFileSync(path.join(ROOT, 'deploy/grafana/dashboards/loopwright.json'), 'utf8'), { __rate_interval: window, window });
    results = await Promise.all(queries.map(async (q) => ({ ...q, result: await prometheus!.query(q.expr, at) })));
    process.stdout.write(`dashboard over the last ${window}:\n${results.map((r) =>
      `  ${r.panel} [${r.refId}]: ${r.result.map((s) => `${Object.values(s.metric).join(' ') || 'value'}=${Number(s.value[1]).toFixed(4)}`).join(', ')}`).join('\n')}\n`);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(services.map((s) => s.stop()));
    await db?.end();
    await log?.close();
    await schema?.drop();
    if (config) await dropTestStream(config.natsUrl, config.streamName);
  });

  it('evaluates every PromQL expression of the dashboard to data', () => {
    expect(results.length).toBeGreaterThanOrEqual(9);
    for (const { panel, refId, result } of results) {
      expect({ panel, refId, series: result.length }).toEqual({ panel, refId, series: expect.any(Number) });
      expect({ panel, refId, empty: result.length === 0 }).toEqual({ panel, refId, empty: false });
      const numbers = result.map((s) => Number(s.value[1]));
      expect({ panel, refId, finite: numbers.every(Number.isFinite) }).toEqual({ panel, refId, finite: true });
    }
  });

  it('shows in the tier-share panel the tier share the projections hold for the same runs', async () => {
    const { rows } = await db.query<{ tier: string; decisions: number }>(
      'select tier, sum(decisions)::int as decisions from tier_share_by_run where run_id = any($1) group by tier', [measuredRuns]);
    const total = rows.reduce((sum, r) => sum + r.decisions, 0);
    expect(total).toBeGreaterThan(0);
    const projections = Object.fromEntries(rows.map((r) => [r.tier, r.decisions / total]));
    const panel = results.find((r) => r.panel === 'Tier share of decisions')!;
    const shown = Object.fromEntries(panel.result.map((s) => [s.metric.tier, Number(s.value[1])]));
    // Every tier's series exists from the start (at 0), so the panel may list tiers no decision reached.
    for (const tier of Object.keys(projections)) expect(Object.keys(shown)).toContain(tier);
    // rate() extrapolates each series to the window's edges, and stops a counter's extrapolation at
    // zero, so a ratio of rates can stray from the ratio of counts by a sliver (0.0006 was seen over
    // about 110 decisions). One decision counted twice moves its tier's share by (1 - share) / (total + 1),
    // one in the wrong tier moves two shares by 1 / total: a quarter of a decision's share is below
    // both wherever no tier holds more than 70 % of the decisions.
    expect(Math.max(...Object.values(projections))).toBeLessThanOrEqual(0.7);
    for (const tier of new Set([...Object.keys(shown), ...Object.keys(projections)])) {
      const off = Math.abs((shown[tier] ?? 0) - (projections[tier] ?? 0));
      expect({ tier, shown: shown[tier] ?? 0, projections: projections[tier] ?? 0, withinAQuarterDecision: off < 0.25 / total }).toMatchObject({ withinAQuarterDecision: true });
    }
  });
});
