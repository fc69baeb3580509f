import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createEvent, EventOf } from '@loopwright/events';
import type { EventLog } from '@loopwright/eventlog';
import { startServiceProcess } from '@loopwright/service';
import { startRouter } from '../apps/router/src/main';
import {
  coreRequestReply, machineFacts, openBenchLog, parseFlags, percentiles, Percentiles, reportResults, round, Row, runBenchmark,
  sendPaced, serviceEnv, startProgress,
} from './support';

const NAME = 'decision-round-trip';

const flags = parseFlags(NAME, {
  rate: { default: 200, help: 'decision.requested events per second', fractional: true },
  duration: { default: 20, help: 'seconds of measured load', fractional: true },
  warmup: { default: 2, help: 'seconds of unmeasured load first', fractional: true },
  'rtt-samples': { default: 2_000, help: 'sequential samples of each baseline round trip' },
  'skip-in-process': { default: false, help: 'skip the router started in this process by startRouter' },
  'skip-process': { default: false, help: 'skip the router started as its own process (apps/router/src/main.ts)' },
});

const DAILY_BUDGET_USD = 1e9;
const ESTIMATED_USD = 0.01;

interface Sample {
  sentAt: number;
  ackedAt?: number;
  routedAt?: number;
}

type RouterPlacement = 'in-process' | 'own process';

/** Starts the router on the bench stream; returns how to stop it. */
async function startBenchRouter(placement: RouterPlacement, env: Record<string, string>): Promise<() => Promise<void>> {
  const routerEnv = { ...env, LOOP_DAILY_BUDGET_USD: String(DAILY_BUDGET_USD) };
  if (placement === 'own process') {
    const child = startServiceProcess('router', routerEnv);
    await child.url;
    return () => child.stop();
  }
  // startService reads the log's settings from the environment (logConfigFromEnv).
  Object.assign(process.env, routerEnv);
  const service = await startRouter({ port: 0, config: { dailyBudgetUsd: DAILY_BUDGET_USD, frontierModel: 'claude-sonnet-4-5' } });
  return () => service.stop();
}

function request(runId: string, decisionId: string): EventOf<'decision.requested'> {
  return createEvent({
    type: 'decision.requested',
    aggregateId: runId,
    producer: 'grader',
    data: {
      decisionId, key: 'grader:engineer:gate:ran_tests_before_claim', requester: 'grader', role: 'engineer', kind: 'gate',
      item: 'ran_tests_before_claim', taskId: `${runId}-engineer`, estimatedUsd: ESTIMATED_USD,
      features: { claims_tests_pass: true, test_runs: 0, turns_used: 14, wrote_outside_scope: false },
    },
  });
}

/** Sends `count` requests at the rate and waits (bounded) for their routed events. */
async function load(log: EventLog, runId: string, routed: Map<string, number>, count: number, label: string): Promise<{ samples: Sample[]; sendSeconds: number }> {
  const samples = new Map<string, Sample>();
  const progress = startProgress(label, count, 'routed');
  const tag = randomBytes(3).toString('hex');
  const sendSeconds = await sendPaced(count, flags.rate, (i) => {
    const decisionId = `d-${tag}-${i}`;
    const event = request(runId, decisionId);
    const sample: Sample = { sentAt: performance.now() };
    samples.set(decisionId, sample);
    log.append(event).then(
      () => (sample.ackedAt = performance.now()),
      (error: unknown) => console.error(`append failed: ${(error as Error).message}`),
    );
  }, () => progress.update(countRouted(samples, routed)));
  const deadline = performance.now() + 30_000;
  while (countRouted(samples, routed) < count && performance.now() < deadline) {
    progress.update(countRouted(samples, routed));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  progress.update(countRouted(samples, routed));
  progress.stop();
  for (const [id, sample] of samples) sample.routedAt = routed.get(id);
  return { samples: [...samples.values()], sendSeconds };
}

function countRouted(samples: Map<string, Sample>, routed: Map<string, number>): number {
  let n = 0;
  for (const id of samples.keys()) if (routed.has(id)) n++;
  return n;
}

function latencyRow(what: string, p: Percentiles): Row {
  return {
    'round trip': what, samples: p.count, 'p50 ms': round(p.p50, 2), 'p90 ms': round(p.p90, 2), 'p99 ms': round(p.p99, 2),
    'max ms': round(p.max, 2), 'mean ms': round(p.mean, 2),
  };
}

interface RouterRun {
  placement: RouterPlacement;
  samples: Sample[];
  sendSeconds: number;
  /** This process's event-loop delay during the measured load, ms. */
  loopDelay: Percentiles;
}

/** One router, its own run (goal) on the bench stream, warmed up, then the measured load. */
async function measureRouter(log: EventLog, placement: RouterPlacement): Promise<RouterRun> {
  const { config } = log;
  const runId = `run-bench-${randomBytes(3).toString('hex')}`;
  // JetStream also delivers a stored message to core subscribers of its subject.
  const routed = new Map<string, number>();
  const decoder = new TextDecoder();
  const subscription = log.nc.subscribe(`${config.subjectRoot}.run.${runId}.router.decision.routed`, {
    callback: (_err, msg) => {
      const at = performance.now();
      const { data } = JSON.parse(decoder.decode(msg.data)) as { data: { decisionId: string } };
      if (!routed.has(data.decisionId)) routed.set(data.decisionId, at);
    },
  });
  const stopRouter = await startBenchRouter(placement, serviceEnv(config));
  try {
    await log.append(
      createEvent({
        type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
        data: {
          goalId: 'bench', title: 'decision round trip benchmark', description: 'requests decisions at a steady rate', roles: ['engineer'],
          allowedPaths: ['src/**'], testCommand: 'npm test', budgetUsd: 1e9, backend: 'sim',
        },
      }),
    );
    // The first routed event shows the router has the goal's budget.
    await load(log, runId, routed, 1, `${placement}: ready`);
    await load(log, runId, routed, Math.max(1, Math.round(flags.rate * flags.warmup)), `${placement}: warm-up`);
    const loopMonitor = monitorEventLoopDelay({ resolution: 5 });
    loopMonitor.enable();
    const total = Math.round(flags.rate * flags.duration);
    const { samples, sendSeconds } = await load(log, runId, routed, total, `${placement}: ${flags.rate}/s`);
    loopMonitor.disable();
    const ms = (ns: number) => ns / 1e6;
    const loopDelay: Percentiles = {
      count: loopMonitor.count, min: ms(loopMonitor.min), mean: ms(loopMonitor.mean), p50: ms(loopMonitor.percentile(50)),
      p90: ms(loopMonitor.percentile(90)), p99: ms(loopMonitor.percentile(99)), max: ms(loopMonitor.max),
    };
    return { placement, samples, sendSeconds, loopDelay };
  } finally {
    subscription.unsubscribe();
    await stopRouter();
  }
}

function routerRows(run: RouterRun): { latency: Row[]; rate: Row } {
  const done = run.samples.filter((s) => s.routedAt !== undefined && s.ackedAt !== undefined);
  const firstSent = Math.min(...run.samples.map((s) => s.sentAt));
  const lastRouted = Math.max(...done.map((s) => s.routedAt!));
  const label = (what: string) => `${what} (router ${run.placement})`;
  return {
    latency: [
      latencyRow(label('request ack → routed arrives'), percentiles(done.map((s) => s.routedAt! - s.ackedAt!))),
      latencyRow(label('request publish → routed arrives'), percentiles(done.map((s) => s.routedAt! - s.sentAt))),
      latencyRow(label('request publish → its ack'), percentiles(run.samples.filter((s) => s.ackedAt !== undefined).map((s) => s.ackedAt! - s.sentAt))),
    ],
    rate: {
      router: run.placement, 'target /s': flags.rate, sent: run.samples.length, 'sent /s': round(run.samples.length / run.sendSeconds, 1),
      routed: done.length, 'routed /s': round(done.length / ((lastRouted - firstSent) / 1000), 1), missing: run.samples.length - done.length,
      'bench loop delay p99 ms': round(run.loopDelay.p99, 1), 'bench loop delay max ms': round(run.loopDelay.max, 1),
    },
  };
}

/** The two baselines: core request → reply, and a JetStream publish → ack, one at a time. */
async function baselines(log: EventLog, payloadBytes: number): Promise<Row[]> {
  const samples = flags['rtt-samples'];
  const progress = startProgress('baselines', 2 * samples, 'round trips');
  const core = percentiles(await coreRequestReply(log.nc, samples, payloadBytes));
  progress.update(samples);
  const acks: number[] = [];
  const raw = new Uint8Array(payloadBytes).fill(0x61);
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await log.js.publish(`${log.config.subjectRoot}.system.bench.submitter.rtt.probe`, raw);
    acks.push(performance.now() - started);
  }
  progress.update(2 * samples);
  progress.stop();
  return [latencyRow('core NATS request → reply', core), latencyRow('JetStream publish → ack', percentiles(acks))];
}

void runBenchmark(async (teardown) => {
  const bench = await openBenchLog(NAME);
  teardown(bench.drop);
  const { log, config } = bench;
  const machine = await machineFacts(log.nc);
  const placements: RouterPlacement[] = [
    ...(flags['skip-in-process'] ? [] : ['in-process' as const]),
    ...(flags['skip-process'] ? [] : ['own process' as const]),
  ];
  const runs: RouterRun[] = [];
  for (const placement of placements) runs.push(await measureRouter(log, placement));
  const payloadBytes = Buffer.byteLength(JSON.stringify(request('run-probe', 'd-probe')));
  const baselineRows = await baselines(log, payloadBytes);
  const rows = runs.map(routerRows);

  reportResults({
    benchmark: NAME,
    machine,
    measuredPaths: ['libs/eventlog', 'libs/events', 'libs/service', 'apps/router'],
    params: {
      rate: flags.rate, duration: flags.duration, warmup: flags.warmup, rttSamples: flags['rtt-samples'],
      routers: placements.join(', '), requestPayloadBytes: payloadBytes, stream: config.streamName,
    },
    tables: {
      [`decision.requested → decision.routed at ${flags.rate}/s for ${flags.duration} s`]: rows.flatMap((r) => r.latency),
      'Baselines on the same server, one at a time': baselineRows,
      Rates: rows.map((r) => r.rate),
    },
    notes: [
      'routed events are received by a core NATS subscription on their subject; the router appends each after its durable consumer delivers the request and it routes it (frontier tier, budget reserved).',
      'in-process: the router (startRouter) shares this process and its event loop with the load generator, so ack callbacks and routed arrivals queue behind each other; a negative ack → routed time means the routed event was read before the ack callback ran.',
      'own process: apps/router/src/main.ts started as a child process with the bench stream in its environment, as the e2e harness does.',
    ],
  });
});
