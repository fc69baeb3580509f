import type { DataSource } from 'typeorm';
import { openDatabase, PROJECTION_MIGRATIONS, replayProjections, reviewsList, ruleDetail, rulesList, runsList, runTimeline } from '@loopwright/projections';
import { scenarioEvents } from '@loopwright/projections/testing';
import { startConsole } from '../apps/console/src/main';
import { tierShareView } from '../apps/console/src/tier-share-view';
import { machineFacts, openBenchLog, openBenchSchema, parseFlags, percentiles, reportResults, round, Row, runBenchmark, serviceEnv } from './support';

const NAME = 'console-reads';

const flags = parseFlags(NAME, {
  runs: { default: 500, help: 'simulated runs in the projections' },
  samples: { default: 200, help: 'sequential requests per read (after 20 unmeasured)' },
});

async function timed(samples: number, read: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await read();
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await read();
    out.push(performance.now() - started);
  }
  return out;
}

async function get(url: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  await response.arrayBuffer();
}

void runBenchmark(async (teardown) => {
  const bench = await openBenchLog(NAME, 'miner');
  teardown(() => bench.drop());
  const schema = await openBenchSchema(NAME);
  teardown(() => schema.drop());
  const db: DataSource = await openDatabase({ url: schema.url, schema: schema.schema }, PROJECTION_MIGRATIONS);
  teardown(() => db.destroy());
  const machine = await machineFacts(bench.log.nc, schema.url);

  await bench.log.appendMany(scenarioEvents({ runs: flags.runs, seed: 5 }));
  const projected = await replayProjections(bench.log, db);
  Object.assign(process.env, serviceEnv(bench.config));
  const service = await startConsole({ port: 0, db, config: { pollMs: 1_000 } });
  teardown(() => service.stop());

  const middle = `run-${Math.floor(flags.runs / 2)}`;
  // Each read through the console (HTTP, JSON or HTML) against the same projection queries called directly.
  const reads: { read: string; direct: () => Promise<unknown>; http: string }[] = [
    { read: 'runs list (100)', direct: () => runsList(db, { limit: 100 }), http: '/api/runs?limit=100' },
    { read: 'runs list, text filter', direct: () => runsList(db, { text: 'goal 4', limit: 100 }), http: '/api/runs?text=goal%204&limit=100' },
    { read: 'run timeline', direct: () => runTimeline(db, middle), http: `/api/runs/${middle}` },
    { read: 'tier share', direct: () => tierShareView(db), http: '/api/tier-share' },
    {
      read: 'dashboard page (HTML)',
      direct: () =>
        Promise.all([
          tierShareView(db), runsList(db, { limit: 50 }), reviewsList(db, { status: 'open' }),
          rulesList(db).then((rules) => Promise.all(rules.map((r) => ruleDetail(db, r.ruleId)))),
        ]),
      http: '/',
    },
    { read: 'run page (HTML)', direct: () => runTimeline(db, middle), http: `/runs/${middle}` },
  ];
  const rows: Row[] = [];
  for (const { read, direct, http } of reads) {
    const baseline = percentiles(await timed(flags.samples, direct));
    const console_ = percentiles(await timed(flags.samples, () => get(`${service.url}${http}`)));
    rows.push({
      read, 'direct p50 ms': round(baseline.p50, 3), 'console p50 ms': round(console_.p50, 3), 'console p90 ms': round(console_.p90, 3),
      'console / direct (p50)': round(console_.p50 / baseline.p50, 2),
    });
  }
  reportResults({
    benchmark: NAME,
    machine,
    params: { runs: flags.runs, samples: flags.samples, events: projected.events },
    measuredPaths: ['apps/console/src', 'libs/projections/src', 'libs/report/src'],
    tables: { 'console reads against the same queries called directly (sequential, one client)': rows },
    notes: ['"direct" calls the projection queries in this process; "console" adds HTTP, the guard, JSON or HTML rendering and the response.'],
  });
});
