import path from 'node:path';
import { DEFAULT_WORKLOAD_PATH } from '@loopwright/models';
import { runsInWindow } from '@loopwright/report';
import { DemoProgress, DemoResult, runDemo } from '../apps/demo/src/run-demo';
import { machineFacts, openBenchLog, openBenchSchema, parseFlags, reportResults, round, Row, runBenchmark, startProgress } from './support';

const NAME = 'retirement';

const flags = parseFlags(NAME, {
  runs: { default: 300, help: 'simulated runs (the demo\'s default)' },
  window: { default: 30, help: 'runs per window of the tier-share table; the last window is the held-out runs' },
  concurrency: { default: 4, help: 'runs in flight at once (the demo\'s default)' },
  seed: { default: 7, help: 'seed of the simulated agents and judge (the demo\'s default)' },
  workload: { default: path.relative(process.cwd(), DEFAULT_WORKLOAD_PATH), help: 'the workload YAML (the demo\'s default, or workloads/engineer-parsing.yaml)' },
});

const pct = (share: number) => `${round(share * 100, 1)}%`;
const usd = (amount: number) => `$${amount.toFixed(4)}`;

void runBenchmark(async (teardown) => {
  const bench = await openBenchLog(NAME);
  teardown(bench.drop);
  const schema = await openBenchSchema(NAME);
  teardown(schema.drop);
  const machine = await machineFacts(bench.log.nc, schema.url);

  // On Ctrl-C, runDemo stops its services before the stream and schema go.
  const controller = new AbortController();
  let demo: Promise<DemoResult> | undefined;
  teardown(async () => {
    controller.abort();
    await demo?.catch(() => undefined);
  });

  const progress = startProgress('retirement demo', flags.runs, 'runs');
  /** Seconds from the start until the n-th run ended (runs end out of order; counted by number). */
  const endedAt: number[] = [];
  const promotedAfter = new Map<string, number>();
  let last: DemoProgress | undefined;
  const started = performance.now();
  demo = runDemo({
    runs: flags.runs,
    seed: String(flags.seed),
    window: flags.window,
    concurrency: flags.concurrency,
    workloadPath: path.resolve(flags.workload),
    log: bench.config,
    dbSchema: schema.schema,
    databaseUrl: schema.url,
    heldOutRuns: flags.window,
    onProgress: (p) => {
      last = p;
      while (endedAt.length < p.ended) endedAt.push((performance.now() - started) / 1000);
      progress.update(p.ended);
    },
    onNote: (line) => {
      const promoted = /^rule (\S+) promoted/.exec(line);
      if (promoted) promotedAfter.set(promoted[1], last?.ended ?? 0);
      process.stderr.write(`\r\x1b[2K${line}\n`);
    },
    signal: controller.signal,
  });
  const result = await demo;
  const wallSeconds = (performance.now() - started) / 1000;
  progress.stop();
  if (result.aborted) throw new Error('the demo was interrupted');

  const windowRows: Row[] = result.windows.map((w, i) => {
    const grader = result.graderWindows[i];
    const from = endedAt[i * flags.window - 1] ?? 0;
    const to = endedAt[Math.min(flags.runs, (i + 1) * flags.window) - 1] ?? wallSeconds;
    return {
      runs: `${w.runs}${i === result.windows.length - 1 ? ' (held out)' : ''}`, decisions: w.decisions, frontier: pct(w.frontierShare), resident: pct(w.residentShare),
      deterministic: pct(w.deterministicShare), human: pct(w.humanShare), 'grader frontier': grader ? pct(grader.frontierShare) : null,
      'cost/run': usd(w.costUsd), 'spot-checks/run': usd(w.spotCheckCostUsd ?? 0), 'wall s': round(to - from, 1),
    };
  });
  const first = result.windows[0];
  const final = result.windows[result.windows.length - 1];
  const keyRows: Row[] = result.keys.map((k) => ({
    key: k.key, tier: k.tier, 'last window frontier': k.answered.frontier, 'last window resident': k.answered.resident,
    'last window deterministic': k.answered.deterministic, 'last window cost/run': usd(final ? k.costUsd / runsInWindow(final) : NaN), why: k.why,
  }));
  const perKeyRows: Row[] = Object.entries(result.keyWindows).map(([key, windows]) => ({
    key,
    ...Object.fromEntries(windows.map((w, i) => [result.windows[i]?.runs ?? String(i + 1), `${w.frontier}/${w.resident}/${w.deterministic}${w.human ? `/${w.human}h` : ''}`])),
  }));
  const costFall = first && final && final.costUsd > 0 ? round(first.costUsd / final.costUsd, 2) : null;
  const ruleRows: Row[] = result.promoted.map((r) => ({
    rule: r.ruleId, key: r.key, tier: r.tier, 'promoted after runs ended': promotedAfter.get(r.ruleId) ?? null,
    'spot-check rate': r.spotCheckRate,
  }));

  const workloadName = path.basename(flags.workload).replace(/\.ya?ml$/, '');
  reportResults({
    // One result file per workload: retirement.json for the default one.
    benchmark: path.resolve(flags.workload) === DEFAULT_WORKLOAD_PATH ? NAME : `${NAME}-${workloadName}`,
    machine,
    measuredPaths: ['apps/demo', 'apps/executor', 'apps/grader', 'apps/router', 'apps/miner', 'libs', 'workloads', 'rubrics'],
    params: {
      runs: flags.runs, window: flags.window, concurrency: flags.concurrency, seed: String(flags.seed), heldOutRuns: flags.window,
      workload: flags.workload, workloadSeed: result.workloadSeed, stream: bench.config.streamName, schema: schema.schema,
    },
    tables: {
      [`Tier share of decisions per window of ${flags.window} runs (spot-checks not counted as decisions, their cost apart; simulated models)`]: windowRows,
      Summary: [
        {
          runs: result.runs, 'wall s': round(wallSeconds, 1), 'runs/s': round(result.runs / wallSeconds, 2),
          'frontier share': `${pct(first?.frontierShare ?? NaN)} → ${pct(final?.frontierShare ?? NaN)}`,
          'cost/run': `${usd(first?.costUsd ?? NaN)} → ${usd(final?.costUsd ?? NaN)}`, 'cost fall': costFall === null ? null : `${costFall}×`,
          'resident share, best window': pct(Math.max(...result.windows.map((w) => w.residentShare))),
          'agreement on held-out runs': result.agreement === null ? 'n/a' : `${pct(result.agreement)} of ${result.agreementChecks}`,
          'golden known-bad passed': result.goldenKnownBadPassed, 'rules promoted': result.promoted.length,
          'audit chain': result.audit.ok ? `ok (${result.audit.checked} events)` : `diverges at seq ${result.audit.firstDivergentSeq}`,
        },
      ],
      'Rules in force at the end': ruleRows,
      'Where each decision key sits at the end': keyRows,
      'Decisions per key and window, frontier/resident/deterministic': perKeyRows,
    },
    notes: [
      'runDemo from apps/demo: the four services as processes on this benchmark\'s stream and schema, the miner\'s validated rules approved automatically as the demo\'s reviewer does; simulated models, no network.',
      `the last window (${flags.window} runs) is held out: every retired decision there is also asked of the frontier in shadow; agreement compares the two.`,
      '"wall s" of a window: from the time the previous window\'s worth of runs had ended to the time this window\'s worth had (runs end out of order); the first window\'s also includes starting the four services.',
    ],
  });
});

