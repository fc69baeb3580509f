import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventLog } from '@loopwright/eventlog';
import { workIdOfDecision } from '@loopwright/grading';
import { DEFAULT_WORKLOAD_PATH, loadWorkload, seededRandom } from '@loopwright/models';
import {
  BenchResult, interleavedRounds, loadAverage, openBenchLog, parseFlags, percentile, Percentiles, percentiles, rawConsume, reportResults, round, Row,
  runBenchmark, startProcessCpu, startProgress,
} from './support';
import {
  approveValidatedRules, benchGoalEvent, lowestCheckpoint, openPipelineBench, PIPELINE_SERVICES, PipelineService, sampleBacklog, sleep, startPipelineServices, watchRunEnds,
} from './support/pipeline';
import { PidCpu, pidCpu, pidCpuDelta } from './support/pid-cpu';

const NAME = 'pipeline-throughput';
const TARGET_VS_RAW = 0.2;
const TARGET_CPU_MS_PER_EVENT = 1;
const TARGET_GRADING_P50_MS = 50;
const SERVICES = PIPELINE_SERVICES;
type ServiceName = PipelineService;

const flags = parseFlags(NAME, {
  runs: { default: 60, help: 'simulated runs submitted' },
  concurrency: { default: 8, help: 'runs in flight at once' },
  lone: { default: 8, help: 'runs submitted one at a time, after one warm-up run and before the loaded phase: a lone work\'s grading overhead, with nothing queued beside it' },
  'raw-events': { default: 20_000, help: 'events per raw publish round (the baseline)' },
  window: { default: 256, help: 'raw publish acks awaited together' },
  rounds: { default: 3, help: 'raw publish rounds (the median is reported)' },
  timeout: { default: 240, help: 'seconds before the pipeline phase gives up waiting for runs to end', fractional: true },
  'sample-ms': { default: 1_000, help: 'how often the durable consumers\' backlog is sampled', fractional: true },
  profile: { default: false, help: 'CPU-profile each service during the pipeline phase (written to the temp folder, summarized)' },
});

interface StoredShape {
  type: string;
  producer: string;
  aggregate: string;
  aggregateId: string;
  occurredAt: string;
  data: { tool?: string; taskId?: string; iteration?: number; decisionId?: string; key?: string; workId?: string; shadow?: boolean };
}

type GradingStep = 'produced' | 'verified' | 'requested' | 'routed' | 'completed' | 'graded';
const GRADER_DECISION_STEPS: Record<string, GradingStep | undefined> = {
  'decision.requested': 'requested', 'decision.routed': 'routed', 'decision.completed': 'completed',
};

/**
 * Where the time of a run goes, from the events' own timestamps: the executor's agent sessions
 * (first trace.step → work.produced) and the wait before each (its draft's decision.routed → first
 * trace.step), and the grader's grading (work.produced → grade.recorded).
 */
class Spans {
  private readonly routedAt = new Map<string, number>();
  private readonly sessions = new Map<string, { start: number; end?: number; decisionId?: string }>();
  private readonly workAt = new Map<string, number>();
  private readonly grades: { start: number; end: number }[] = [];
  /** Per work, when each step of its grading was last seen (ms). */
  private readonly gradingSteps = new Map<string, Partial<Record<GradingStep, number>>>();

  private gradingStep(workId: string, step: GradingStep, at: number): void {
    const steps = this.gradingSteps.get(workId) ?? {};
    steps[step] = Math.max(steps[step] ?? at, at);
    this.gradingSteps.set(workId, steps);
  }

  /** `storedAt`: when the server stored the event (a routed decision carries its request's time as its own). */
  add(e: StoredShape, storedAt: number): void {
    const at = Date.parse(e.occurredAt);
    const d = e.data;
    if (e.type === 'work.produced' && d.workId) this.gradingStep(d.workId, 'produced', storedAt);
    if (e.type === 'work.verified' && d.workId) this.gradingStep(d.workId, 'verified', storedAt);
    if (e.type === 'grade.recorded' && d.workId) this.gradingStep(d.workId, 'graded', storedAt);
    const decisionStep = GRADER_DECISION_STEPS[e.type];
    if (decisionStep && d.decisionId && !d.shadow && d.key?.startsWith('grader:')) {
      this.gradingStep(workIdOfDecision(d.decisionId), decisionStep, storedAt);
    }
    if (e.type === 'decision.routed' && d.key?.startsWith('executor:') && d.decisionId) this.routedAt.set(d.decisionId, at);
    if (e.type === 'trace.step' || e.type === 'work.produced') {
      const key = `${d.taskId}#${d.iteration}`;
      const session = this.sessions.get(key) ?? { start: at };
      session.start = Math.min(session.start, at);
      if (e.type === 'work.produced') {
        session.end = at;
        if (d.workId) this.workAt.set(d.workId, at);
      }
      if (d.decisionId) session.decisionId ??= d.decisionId;
      this.sessions.set(key, session);
    }
    if (e.type === 'grade.recorded' && d.workId && this.workAt.has(d.workId)) this.grades.push({ start: this.workAt.get(d.workId)!, end: at });
  }

  /** Seconds covered by at least one of the intervals. */
  private static union(intervals: { start: number; end: number }[]): number {
    let covered = 0;
    let reach = -Infinity;
    for (const { start, end } of [...intervals].sort((a, b) => a.start - b.start)) {
      if (end <= reach) continue;
      covered += end - Math.max(start, reach);
      reach = end;
    }
    return covered / 1000;
  }

  /** Wall time of each work's grading (work.produced → grade.recorded), in ms. */
  gradingMs(): number[] {
    return this.grades.map((g) => g.end - g.start);
  }

  /**
   * A work's grading step by step, by the times the server stored its events: how long after its work.produced each step was last reached
   * (verified; its last decision requested, routed and answered; the grade), over the works graded.
   */
  gradingTimeline(): Row[] {
    const graded = [...this.gradingSteps.values()].filter((s) => s.produced !== undefined && s.graded !== undefined);
    const steps: [GradingStep, string][] = [
      ['verified', 'work.verified (tests re-run in the sandbox, features)'], ['requested', 'last decision.requested'],
      ['routed', 'last decision.routed'], ['completed', 'last decision.completed'], ['graded', 'grade.recorded'],
    ];
    return steps.map(([step, what]) => {
      const after = percentiles(graded.flatMap((s) => (s[step] === undefined ? [] : [s[step]! - s.produced!])));
      return { 'reached (after work.produced)': what, works: after.count, 'p50 ms': round(after.p50, 1), 'mean ms': round(after.mean, 1), 'p90 ms': round(after.p90, 1) };
    });
  }

  rows(wallSeconds: number): Row[] {
    const sessions = [...this.sessions.values()].filter((s): s is { start: number; end: number; decisionId?: string } => s.end !== undefined);
    const waits = sessions.flatMap((s) => (s.decisionId && this.routedAt.has(s.decisionId) ? [s.start - this.routedAt.get(s.decisionId)!] : []));
    const row = (what: string, intervals: { start: number; end: number }[], wait?: number[]): Row => {
      const durations = percentiles(intervals.map((i) => i.end - i.start));
      const busy = Spans.union(intervals);
      return {
        span: what, count: intervals.length, 'mean ms': round(durations.mean, 1), 'p90 ms': round(durations.p90, 1),
        'sum s': round(intervals.reduce((a, i) => a + i.end - i.start, 0) / 1000, 1), 'covered s': round(busy, 1), 'covered / wall': `${Math.round((busy / wallSeconds) * 100)}%`,
        'wait before, mean ms': wait ? round(percentiles(wait).mean, 1) : null,
      };
    };
    return [
      row('executor agent session (first trace.step → work.produced)', sessions, waits),
      row('grading (work.produced → grade.recorded)', this.grades),
    ];
  }
}

/** Publishes `count` payloads of `bytes` each, `window` acks at a time, with fresh message ids. */
async function rawPublish(log: EventLog, count: number, bytes: number, window: number, label: string) {
  const payload = new Uint8Array(bytes).fill(0x61);
  const subject = `${log.config.subjectRoot}.system.bench.submitter.raw.probe`;
  const progress = startProgress(label, count);
  const started = performance.now();
  for (let start = 0; start < count; start += window) {
    const acks: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(count, start + window); i++) acks.push(log.js.publish(subject, payload));
    await Promise.all(acks);
    progress.update(Math.min(count, start + window));
  }
  const seconds = (performance.now() - started) / 1000;
  progress.stop();
  return { events: count, bytes: count * bytes, seconds };
}

void runBenchmark(async (teardown) => {
  const { log, config, schema, machine, db } = await openPipelineBench(NAME, teardown);

  // The services as runDemo starts them, on this benchmark's stream and schema; zero simulated model latency.
  const profileDir = flags.profile ? mkdtempSync(path.join(os.tmpdir(), `${NAME}-`)) : undefined;
  const profileEnv = (name: ServiceName): NodeJS.ProcessEnv =>
    profileDir
      ? { NODE_OPTIONS: `--require ${path.join(__dirname, 'support', 'service-profiler.js')}`, LOOP_BENCH_PROFILE_DIR: profileDir, LOOP_BENCH_PROFILE_NAME: name }
      : {};
  const { services, stop: stopServices } = await startPipelineServices(config, schema, profileEnv);
  teardown(stopServices);
  /** Starts, then stops (and has written) each service's CPU profile: see support/service-profiler.js. */
  const profileControl = (step: 'start' | 'stop') => {
    if (profileDir) writeFileSync(path.join(profileDir, step), '');
  };

  const submittedAt = new Map<string, number>();
  const ends = await watchRunEnds(log);
  const endedAt = ends.endedAt;
  const approver = await approveValidatedRules(log);
  teardown(async () => {
    await ends.close();
    await approver.close();
  });

  const pick = seededRandom('pipeline-throughput', 'bench');
  const workload = loadWorkload(DEFAULT_WORKLOAD_PATH);
  /** Waits until `until` holds; false once `deadline` passed. */
  const waitForEnds = async (until: () => boolean, deadline: number, onEnd: () => void = () => undefined) => {
    while (!until()) {
      if (performance.now() > deadline) return false;
      await ends.next();
      onEnd();
    }
    return true;
  };
  const submit = async (runId: string) => {
    await log.append(benchGoalEvent(workload, runId, pick));
    submittedAt.set(runId, performance.now());
  };
  const streamSeq = async () => (await log.jsm.streams.info(config.streamName)).state.last_seq;
  /** Waits until the projections applied everything appended up to `seq`; false once `deadline` passed. */
  const projectedUpTo = async (seq: number, deadline: number) => {
    let applied = await lowestCheckpoint(db, schema.schema);
    while (applied < seq && performance.now() < deadline) {
      await sleep(25);
      applied = await lowestCheckpoint(db, schema.schema);
    }
    return applied;
  };

  // The lone phase: one run at a time, nothing else in flight, so a work's grading is the grader's own overhead, not a queue.
  const loneDeadline = performance.now() + flags.timeout * 1000;
  const loneProgress = startProgress('lone runs', flags.lone + 1, 'runs');
  let loneStartSeq = 0;
  let loneTimedOut = false;
  for (let n = 0; n <= flags.lone && !loneTimedOut; n++) {
    const runId = n === 0 ? 'run-bench-warm-up' : `run-bench-lone-${String(n).padStart(4, '0')}`;
    if (n === 1) loneStartSeq = await streamSeq();
    await submit(runId);
    loneTimedOut = !(await waitForEnds(() => endedAt.has(runId), loneDeadline));
    loneProgress.update(n + 1);
  }
  loneProgress.stop();
  const loneEndSeq = await streamSeq();
  if ((await projectedUpTo(loneEndSeq, loneDeadline)) < loneEndSeq) loneTimedOut = true;
  const loneRuns = [...submittedAt.keys()].filter((id) => id.startsWith('run-bench-lone-'));
  const loneLoad = loadAverage();

  profileControl('start');
  await sleep(profileDir ? 200 : 0);
  const startSeq = (await log.jsm.streams.info(config.streamName)).state.last_seq;
  const apiBefore = (await log.jsm.getAccountInfo()).api.total;
  const cpuBefore = new Map<ServiceName, PidCpu | undefined>(SERVICES.map((n) => [n, pidCpu(services.get(n)!.child.pid)]));
  const serverCpu = startProcessCpu(['postgres', 'nats-server']);
  const benchCpu = process.cpuUsage();
  const backlog = sampleBacklog(log, flags['sample-ms']);
  const progress = startProgress('pipeline', flags.runs, 'runs');
  const deadline = performance.now() + flags.timeout * 1000;
  const started = performance.now();
  const endedBefore = endedAt.size;
  const loadedEnded = () => endedAt.size - endedBefore;
  const showProgress = () => progress.update(loadedEnded());
  let timedOut = false;
  const loadedRuns: string[] = [];
  for (let n = 0; n < flags.runs && !timedOut; n++) {
    timedOut = !(await waitForEnds(() => loadedRuns.length - loadedEnded() < flags.concurrency, deadline, showProgress));
    if (timedOut) break;
    const runId = `run-bench-${String(n + 1).padStart(4, '0')}`;
    await submit(runId);
    loadedRuns.push(runId);
  }
  if (!(await waitForEnds(() => loadedEnded() >= loadedRuns.length, deadline, showProgress))) timedOut = true;
  const runsEndedAt = performance.now();
  showProgress();
  progress.stop();
  // Everything appended up to the last run's end must be in the projections.
  const targetSeq = await streamSeq();
  const applied = await projectedUpTo(targetSeq, deadline);
  if (applied < targetSeq) timedOut = true;
  if (timedOut || loneTimedOut) {
    for (const service of services.values()) console.error(`--- ${service.name} output (last 2,000 characters):\n${service.output().slice(-2_000)}`);
  }
  const finished = performance.now();
  const wallSeconds = (finished - started) / 1000;

  const cpuAfter = new Map<ServiceName, PidCpu | undefined>(SERVICES.map((n) => [n, pidCpu(services.get(n)!.child.pid)]));
  const servers = serverCpu.stop();
  const benchUsage = process.cpuUsage(benchCpu);
  const backlogs = await backlog.stop();
  const apiCalls = (await log.jsm.getAccountInfo()).api.total - apiBefore;
  // Fan-out: messages the services' durable consumers were delivered (their own log replays come on top).
  let durables = 0;
  let durableDeliveries = 0;
  for await (const info of log.jsm.consumers.list(config.streamName)) {
    if (!info.config.durable_name) continue;
    durables++;
    durableDeliveries += info.delivered.consumer_seq;
  }
  const loadAtEnd = loadAverage();
  profileControl('stop');
  const profiles: Record<string, string> = {};
  if (profileDir) {
    for (const name of services.keys()) {
      const file = path.join(profileDir, `${name}.cpuprofile`);
      const until = performance.now() + 15_000;
      while (!existsSync(file) && performance.now() < until) await sleep(100);
      profiles[name] = execFileSync(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'tools', 'cpu-profile-summary.ts'), file, '12'], {
        encoding: 'utf8',
      });
    }
  }
  await stopServices();

  // What the pipeline appended: seqs (startSeq, targetSeq], read back after the services stopped.
  const byType = new Map<string, number>();
  const byProducer = new Map<string, number>();
  const runEvents = new Map<string, number>();
  let payloadBytes = 0;
  let commands = 0;
  const spans = new Spans();
  const loneSpans = new Spans();
  const decoder = new TextDecoder();
  await rawConsume(log.js, config.streamName, `${config.subjectRoot}.>`, {
    batch: 2_000,
    visit: (m) => {
      const lone = m.seq > loneStartSeq && m.seq <= loneEndSeq;
      if (!lone && (m.seq <= startSeq || m.seq > targetSeq)) return;
      const e = JSON.parse(decoder.decode(m.data)) as StoredShape;
      if (lone) {
        loneSpans.add(e, m.info.timestampNanos / 1e6);
        return;
      }
      payloadBytes += m.data.length;
      byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
      byProducer.set(e.producer, (byProducer.get(e.producer) ?? 0) + 1);
      if (e.aggregate === 'run') runEvents.set(e.aggregateId, (runEvents.get(e.aggregateId) ?? 0) + 1);
      if (e.type === 'trace.step' && e.data.tool === 'run_command') commands++;
      spans.add(e, m.info.timestampNanos / 1e6);
    },
  });
  const streamState = (await log.jsm.streams.info(config.streamName)).state;
  const artifacts = await log.jsm.streams.info(`OBJ_${config.artifactBucket}`).then((i) => i.state, () => undefined);
  const pipelineEvents = targetSeq - startSeq;
  const avgPayload = Math.round(payloadBytes / Math.max(1, pipelineEvents));
  const avgStored = Math.round(streamState.bytes / Math.max(1, streamState.messages));
  const pipelineRate = pipelineEvents / wallSeconds;
  const runsEnded = loadedRuns.filter((id) => endedAt.has(id));

  // The baseline: raw acked publish on a stream of its own on the same server, payloads of the pipeline's average size.
  const rawLog = await openBenchLog(`${NAME}_raw`);
  teardown(rawLog.drop);
  await rawPublish(rawLog.log, 2_000, avgPayload, flags.window, 'raw publish warm-up');
  const rawServers = startProcessCpu(['nats-server']);
  const rawBenchCpu = process.cpuUsage();
  const rawStarted = performance.now();
  const raw = (
    await interleavedRounds(flags.rounds, {
      raw: (r) => rawPublish(rawLog.log, flags['raw-events'], avgPayload, flags.window, `raw publish ${r}/${flags.rounds}`),
    })
  ).get('raw')!;
  const rawWall = (performance.now() - rawStarted) / 1000;
  const rawCpu = rawServers.stop()['nats-server'] + (() => {
    const u = process.cpuUsage(rawBenchCpu);
    return (u.user + u.system) / 1e6;
  })();
  const rawRate = raw.median.perSecond;
  const ratio = pipelineRate / rawRate;

  // CPU of each part of the pipeline during the measured phase.
  const cpuRows: Row[] = [];
  let totalCpu = 0;
  const share = (s: number) => `${Math.round((s / wallSeconds) * 100)}%`;
  for (const name of SERVICES) {
    const d = pidCpuDelta(cpuBefore.get(name), cpuAfter.get(name));
    totalCpu += d.own + d.children;
    cpuRows.push({
      process: `${name} (service)`, 'CPU s': round(d.own, 1), 'of one core': share(d.own), 'children CPU s': round(d.children, 1),
      'CPU ms / pipeline event': round(((d.own + d.children) / pipelineEvents) * 1000, 2),
    });
  }
  const benchSeconds = (benchUsage.user + benchUsage.system) / 1e6;
  for (const [what, seconds] of [['nats-server (machine-wide)', servers['nats-server']], ['postgres (machine-wide)', servers['postgres']], ['this benchmark (submitter, observers)', benchSeconds]] as const) {
    totalCpu += seconds;
    cpuRows.push({ process: what, 'CPU s': round(seconds, 1), 'of one core': share(seconds), 'children CPU s': null, 'CPU ms / pipeline event': round((seconds / pipelineEvents) * 1000, 2) });
  }
  cpuRows.push({
    process: `total (the machine has ${machine.cores} cores = ${round(machine.cores * wallSeconds, 1)} CPU s)`, 'CPU s': round(totalCpu, 1), 'of one core': share(totalCpu),
    'children CPU s': null, 'CPU ms / pipeline event': round((totalCpu / pipelineEvents) * 1000, 2),
  });
  const cpuMsPerEvent = (totalCpu / pipelineEvents) * 1000;
  const serviceCpuMsPerEvent = (SERVICES.reduce((sum, n) => {
    const d = pidCpuDelta(cpuBefore.get(n), cpuAfter.get(n));
    return sum + d.own + d.children;
  }, 0) / pipelineEvents) * 1000;
  const grading = percentiles(spans.gradingMs());
  const gradingP95 = percentile([...spans.gradingMs()].sort((a, b) => a - b), 95);
  const loneGrading = percentiles(loneSpans.gradingMs());
  const loneGradingP95 = percentile([...loneSpans.gradingMs()].sort((a, b) => a - b), 95);
  const gradingRow = (phase: string, g: Percentiles, p95: number, load: number[]): Row => ({
    phase, works: g.count, 'p50 ms': round(g.p50, 1), 'p95 ms': round(p95, 1), 'mean ms': round(g.mean, 1), 'max ms': round(g.max, 1), 'load average': load.join(' '),
  });
  const busiest = SERVICES.map((n) => ({ n, d: pidCpuDelta(cpuBefore.get(n), cpuAfter.get(n)) })).sort((a, b) => b.d.own + b.d.children - (a.d.own + a.d.children))[0];

  const latencies = runsEnded.map((id) => (endedAt.get(id)! - submittedAt.get(id)!) / 1000);
  const lat = percentiles(latencies);
  const perRun = percentiles([...runEvents.values()]);
  const nRuns = Math.max(1, runEvents.size);
  const typeRows: Row[] = [...byType].sort((a, b) => b[1] - a[1]).map(([type, n]) => ({ event: type, events: n, 'per run': round(n / nRuns, 1), share: `${round((n / pipelineEvents) * 100, 1)}%` }));
  const backlogRows: Row[] = [...backlogs].sort((a, b) => b[1].sumWaiting / b[1].samples - a[1].sumWaiting / a[1].samples).slice(0, 8).map(([durable, b]) => ({
    'durable consumer': durable, 'mean waiting': round(b.sumWaiting / b.samples, 1), 'max waiting': b.maxWaiting, samples: b.samples,
  }));
  const result: BenchResult & { serviceProfiles?: Record<string, string[]> } = {
    benchmark: NAME,
    machine,
    measuredPaths: ['apps/executor', 'apps/grader', 'apps/router', 'apps/miner', 'libs'],
    params: {
      runs: flags.runs, concurrency: flags.concurrency, lone: flags.lone, rawEvents: flags['raw-events'], window: flags.window, rounds: flags.rounds,
      avgPayloadBytes: avgPayload, avgStoredBytesPerMessage: avgStored, simLatencyMs: 0, workload: path.relative(process.cwd(), DEFAULT_WORKLOAD_PATH),
      stream: config.streamName, schema: schema.schema,
    },
    tables: {
      [`Pipeline: ${loadedRuns.length} simulated runs, ${flags.concurrency} in flight, append → router, executor, grader, miner → projections`]: [
        {
          path: 'pipeline (all events appended / wall time)', events: pipelineEvents, seconds: round(wallSeconds, 1), 'events/s': Math.round(pipelineRate),
          'vs raw': round(ratio, 3),
        },
        {
          path: `raw js.publish, window ${flags.window}, ${avgPayload} B (median of ${flags.rounds})`, events: raw.median.events, seconds: round(raw.median.seconds, 2),
          'events/s': Math.round(rawRate), 'vs raw': null,
        },
      ],
      Targets: [
        { target: `pipeline ≥ ${TARGET_VS_RAW} × raw acked publish`, reached: round(ratio, 3), met: ratio >= TARGET_VS_RAW ? 'yes' : 'no', detail: `raw rounds (events/s): ${raw.rounds.join(' / ')}` },
        {
          target: `CPU per pipeline event ≤ ${TARGET_CPU_MS_PER_EVENT} ms (services, their commands, nats-server, postgres, this process)`,
          reached: round(cpuMsPerEvent, 2), met: cpuMsPerEvent <= TARGET_CPU_MS_PER_EVENT ? 'yes' : 'no', detail: `services alone: ${round(serviceCpuMsPerEvent, 2)} ms`,
        },
        {
          target: `grading overhead per work (work.produced → grade.recorded) p50 ≤ ${TARGET_GRADING_P50_MS} ms`, reached: round(loneGrading.p50, 1),
          met: loneGrading.p50 <= TARGET_GRADING_P50_MS ? 'yes' : 'no',
          detail: `judged on lone works (one run at a time, nothing else in flight): p95 ${round(loneGradingP95, 1)} ms, mean ${round(loneGrading.mean, 1)} ms over ${loneGrading.count} works; `
            + `loaded (${flags.concurrency} runs in flight): p50 ${round(grading.p50, 1)} ms, p95 ${round(gradingP95, 1)} ms over ${grading.count} works`,
        },
      ],
      'Per run': [
        {
          'runs ended': runsEnded.length, 'runs/s': round(runsEnded.length / wallSeconds, 2), 'events per run (mean)': round(perRun.mean, 1),
          'events per run (min–max)': `${perRun.min}–${perRun.max}`, 'run wall s p50': round(lat.p50, 2), 'p90': round(lat.p90, 2), max: round(lat.max, 2),
          'sandboxed commands per run': round(commands / nRuns, 1),
        },
      ],
      'Log traffic around each appended event': [
        {
          [`deliveries to the ${durables} durable consumers per event`]: round(durableDeliveries / pipelineEvents, 2),
          'JetStream API calls per event': round(apiCalls / pipelineEvents, 2),
          'projections caught up, s after the last run ended': round((finished - runsEndedAt) / 1000, 2),
        },
      ],
      'Events appended by the pipeline, by type': typeRows,
      'Events by producer': [...byProducer].sort((a, b) => b[1] - a[1]).map(([producer, n]) => ({ producer, events: n, 'per run': round(n / nRuns, 1) })),
      [`CPU during the pipeline phase (${round(wallSeconds, 1)} s wall)`]: cpuRows,
      'Where a run\'s time goes (from the events\' timestamps; "covered" is the wall time at least one was in progress)': spans.rows(wallSeconds),
      'Grading per work (work.produced → grade.recorded), lone and loaded': [
        gradingRow(`lone: ${loneRuns.length} runs one at a time`, loneGrading, loneGradingP95, loneLoad),
        gradingRow(`loaded: ${runsEnded.length} runs, ${flags.concurrency} in flight`, grading, gradingP95, loadAtEnd),
      ],
      'A lone work\'s grading, step by step (one run at a time; from the times the server stored its events)': loneSpans.gradingTimeline(),
      [`A loaded work's grading, step by step (${flags.concurrency} runs in flight; from the times the server stored its events)`]: spans.gradingTimeline(),
      'Durable consumers with the largest backlog (pending + unacked, sampled)': backlogRows,
      'For comparison: CPU per event of the raw publish baseline (nats-server + this process)': [
        { path: 'raw publish', 'CPU ms / event': round((rawCpu / (flags.rounds * flags['raw-events'])) * 1000, 3), 'wall s': round(rawWall, 1) },
      ],
      Artifacts: [{ store: `OBJ_${config.artifactBucket}`, messages: artifacts?.messages ?? null, bytes: artifacts?.bytes ?? null }],
    },
    notes: [
      `busiest service: ${busiest.n}, ${round(busiest.d.own, 1)} CPU s own + ${round(busiest.d.children, 1)} CPU s in child processes over ${round(wallSeconds, 1)} s wall.`,
      'JetStream API calls are the account\'s total (consumer creates for every log replay, stream info, this benchmark\'s backlog sampling); other work on the same server account counts too.',
      'children CPU = sandboxed commands (bash + node running the goal\'s tests) that the service spawned and reaped, from cutime/cstime.',
      'postgres and nats-server CPU is machine-wide: other work on the machine that uses them counts too.',
      `load average at the end of the pipeline phase: ${loadAtEnd.join(' ')}.`,
      'the pipeline rate counts every event appended to the stream between the first submission and the moment the projections had applied everything appended by the time the last run ended (goal submissions and the reviewer\'s approvals included).',
      'the raw baseline publishes on its own stream on the same server after the services stopped, payloads of the pipeline\'s average event size.',
      `the lone phase (${loneRuns.length} runs one at a time, after one warm-up run) comes before the loaded phase; the loaded phase's figures (rate, CPU, backlog) exclude it. Load average at the end of the lone phase: ${loneLoad.join(' ')}.`,
      ...(loneTimedOut ? [`LONE PHASE TIMED OUT after ${flags.timeout} s`] : []),
      ...(timedOut ? [`TIMED OUT after ${flags.timeout} s: ${runsEnded.length} of ${loadedRuns.length} runs ended, projections at ${applied} of ${targetSeq}.`] : []),
      ...(profileDir ? [`service CPU profiles of the pipeline phase: ${profileDir}/<service>.cpuprofile (summaries below and in serviceProfiles)`] : []),
    ],
    ...(profileDir ? { serviceProfiles: Object.fromEntries(Object.entries(profiles).map(([name, text]) => [name, text.trimEnd().split('\n')])) } : {}),
  };
  reportResults(result);
  for (const [name, text] of Object.entries(profiles)) console.log(`\n=== ${name}: CPU profile of the pipeline phase\n${text.trimEnd()}`);
});
