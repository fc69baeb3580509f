import { DEFAULT_WORKLOAD_PATH, loadWorkload, seededRandom } from '@loopwright/models';
import { BenchResult, loadAverage, parseFlags, percentiles, reportResults, round, Row, runBenchmark, startProgress } from './support';
import {
  approveValidatedRules, benchGoalEvent, lowestCheckpoint, openPipelineBench, PIPELINE_SERVICES, PipelineService, sampleBacklog, sleep, startPipelineServices, watchRunEnds, workloadPath,
} from './support/pipeline';
import { pidRssMb } from './support/pid-memory';
import { sendPaced } from './support/paced';

const NAME = 'load';
const QUARTERS = [25, 50, 75, 100] as const;
/** RSS growth from half the runs to all of them, per service, above which memory is reported as growing. */
const GROWTH_ALLOWED = 0.25;

const flags = parseFlags(NAME, {
  runs: { default: 1_000, help: 'simulated runs submitted' },
  rate: { default: 2, help: 'runs submitted per second (open loop: steady, whatever the pipeline keeps up with)', fractional: true },
  timeout: { default: 3_600, help: 'seconds before the benchmark gives up waiting for the runs to end', fractional: true },
  'sample-ms': { default: 1_000, help: 'how often memory and the durable consumers\' backlog are sampled', fractional: true },
});

/**
 * Submits simulated runs at a steady rate to the four services (as processes, as the demo runs them)
 * and watches them drain: runs/s, time to drain, each service's memory as the runs go by, and the
 * durable consumers' backlog. A service that keeps per-run state after its runs end grows with the
 * number of runs; a bounded one levels off.
 */
void runBenchmark(async (teardown) => {
  const { log, config, schema, machine, db } = await openPipelineBench(NAME, teardown);

  const { services, stop: stopServices } = await startPipelineServices(config, schema);
  teardown(stopServices);
  const ends = await watchRunEnds(log);
  const approver = await approveValidatedRules(log);
  teardown(async () => {
    await ends.close();
    await approver.close();
  });

  const rssNow = () => new Map(PIPELINE_SERVICES.map((name) => [name, pidRssMb(services.get(name)!.child.pid)]));
  const atStart = rssNow();
  const peakRss = new Map<PipelineService, number>(PIPELINE_SERVICES.map((n) => [n, atStart.get(n) ?? 0]));
  const atQuarter = new Map<number, { rss: Map<PipelineService, number | undefined>; seconds: number }>();
  const backlog = sampleBacklog(log, flags['sample-ms']);
  const started = performance.now();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const [name, mb] of rssNow()) if (mb !== undefined) peakRss.set(name, Math.max(peakRss.get(name)!, mb));
      const ended = ends.endedAt.size;
      for (const q of QUARTERS) {
        if (!atQuarter.has(q) && ended >= Math.ceil((flags.runs * q) / 100)) atQuarter.set(q, { rss: rssNow(), seconds: (performance.now() - started) / 1000 });
      }
      await sleep(flags['sample-ms']);
    }
  })();

  const progress = startProgress('load: runs ended', flags.runs, 'runs');
  const ticker = setInterval(() => progress.update(ends.endedAt.size), 500);
  const pick = seededRandom('load', 'bench');
  const workload = loadWorkload(DEFAULT_WORKLOAD_PATH);
  const submittedAt = new Map<string, number>();
  const appends: Promise<unknown>[] = [];
  const submitSeconds = await sendPaced(flags.runs, flags.rate, (n) => {
    const runId = `run-load-${String(n + 1).padStart(5, '0')}`;
    submittedAt.set(runId, performance.now());
    appends.push(log.append(benchGoalEvent(workload, runId, pick)));
  });
  await Promise.all(appends);
  const submittedAllAt = performance.now();

  const deadline = started + flags.timeout * 1000;
  while (ends.endedAt.size < submittedAt.size && performance.now() < deadline) await ends.next();
  const endedAllAt = performance.now();
  const targetSeq = (await log.jsm.streams.info(config.streamName)).state.last_seq;
  let applied = await lowestCheckpoint(db, schema.schema);
  while (applied < targetSeq && performance.now() < deadline) {
    await sleep(100);
    applied = await lowestCheckpoint(db, schema.schema);
  }
  const drainedAt = performance.now();
  clearInterval(ticker);
  progress.update(ends.endedAt.size);
  progress.stop();
  // A last memory sample once the pipeline is idle: what stays after every run ended.
  await sleep(3 * flags['sample-ms']);
  const idle = rssNow();
  sampling = false;
  await sampler;
  const backlogs = await backlog.stop();
  const loadAtEnd = loadAverage();
  const timedOut = ends.endedAt.size < submittedAt.size || applied < targetSeq;
  if (timedOut) {
    for (const service of services.values()) console.error(`--- ${service.name} output (last 2,000 characters):\n${service.output().slice(-2_000)}`);
  }
  await stopServices();

  const runsEnded = [...submittedAt.keys()].filter((id) => ends.endedAt.has(id));
  const wallSeconds = (drainedAt - started) / 1000;
  const latency = percentiles(runsEnded.map((id) => (ends.endedAt.get(id)! - submittedAt.get(id)!) / 1000));
  const half = atQuarter.get(50)?.rss;
  const full = atQuarter.get(100)?.rss;
  const memoryRows: Row[] = PIPELINE_SERVICES.map((name) => {
    const growth = half?.get(name) && full?.get(name) ? full.get(name)! / half.get(name)! - 1 : NaN;
    return {
      service: name,
      'RSS MB at start': round(atStart.get(name) ?? NaN, 1),
      ...Object.fromEntries(QUARTERS.map((q) => [`at ${q} % of runs`, round(atQuarter.get(q)?.rss.get(name) ?? NaN, 1)])),
      'idle after': round(idle.get(name) ?? NaN, 1),
      'peak MB': round(peakRss.get(name)!, 1),
      'growth 50 → 100 %': Number.isFinite(growth) ? `${round(growth * 100, 1)}%` : null,
      bounded: Number.isFinite(growth) ? (growth <= GROWTH_ALLOWED ? 'yes' : 'no') : null,
    };
  });
  const backlogRows: Row[] = [...backlogs].sort((a, b) => b[1].maxWaiting - a[1].maxWaiting).map(([durable, b]) => ({
    'durable consumer': durable, 'peak waiting': b.maxWaiting, 'mean waiting': round(b.sumWaiting / b.samples, 1), samples: b.samples,
  }));

  const result: BenchResult = {
    benchmark: NAME,
    machine,
    measuredPaths: ['apps/executor', 'apps/grader', 'apps/router', 'apps/miner', 'libs'],
    params: { runs: flags.runs, rate: flags.rate, sampleMs: flags['sample-ms'], simLatencyMs: 0, workload: workloadPath(), stream: config.streamName, schema: schema.schema },
    tables: {
      [`Load: ${submittedAt.size} simulated runs submitted at ${flags.rate}/s to router, executor, grader, miner (as processes) → projections`]: [
        {
          'runs ended': runsEnded.length, 'submitting s': round(submitSeconds, 1), 'wall s (first submission → drained)': round(wallSeconds, 1),
          'runs/s': round(runsEnded.length / wallSeconds, 2), 'drain s (last submission → drained)': round((drainedAt - submittedAllAt) / 1000, 1),
          'projections after the last run ended, s': round((drainedAt - endedAllAt) / 1000, 2), 'events': targetSeq,
        },
      ],
      'Run wall time, submission → end (s)': [
        { p50: round(latency.p50, 2), p90: round(latency.p90, 2), p99: round(latency.p99, 2), max: round(latency.max, 2) },
      ],
      'Time at which each share of the runs had ended (s)': [Object.fromEntries(QUARTERS.map((q) => [`${q} %`, round(atQuarter.get(q)?.seconds ?? NaN, 1)]))],
      'Memory of each service (RSS, MB), sampled': memoryRows,
      'Durable consumers\' backlog (pending + unacked, sampled)': backlogRows,
    },
    notes: [
      `memory counts as bounded when a service's RSS at 100 % of the runs is at most ${GROWTH_ALLOWED * 100} % above its RSS at 50 %: a service keeping per-run state grows with every run, a bounded cache levels off.`,
      'RSS is read from /proc/<pid>/status (VmRSS) every sample; "idle after" is read once the pipeline has drained.',
      `load average at the end: ${loadAtEnd.join(' ')}.`,
      ...(timedOut ? [`TIMED OUT after ${flags.timeout} s: ${runsEnded.length} of ${submittedAt.size} runs ended, projections at ${applied} of ${targetSeq}.`] : []),
    ],
  };
  reportResults(result);
});
