import path from 'node:path';
import { Client } from 'pg';
import { EventLog, LogConfig, toStoredEvent } from '@loopwright/eventlog';
import { DEFAULT_WORKLOAD_PATH, WorkloadSpec } from '@loopwright/models';
import { commandRule, ServiceProcess, startServiceProcess } from '@loopwright/service';
import { simGoalEvent } from '../../apps/demo/src/run-demo';
import { openBenchLog, serviceEnv } from './bench-log';
import { openBenchSchema } from './bench-schema';
import { machineFacts } from './machine';

/** The four services of the pipeline, each its own process. */
export const PIPELINE_SERVICES = ['router', 'miner', 'grader', 'executor'] as const;
export type PipelineService = (typeof PIPELINE_SERVICES)[number];

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The same goal runDemo submits for one run of the workload (simulated models, engineer role). */
export const benchGoalEvent = (workload: WorkloadSpec, runId: string, pick: () => number) => simGoalEvent(workload, runId, pick, 'bench');

/**
 * Starts the services as processes with the environment runDemo gives them, on the benchmark's
 * stream and schema, with zero simulated model latency; resolves once every one is ready.
 */
export async function startPipelineServices(
  config: LogConfig,
  schema: { url: string; schema: string },
  envOf: (name: PipelineService) => NodeJS.ProcessEnv = () => ({}),
): Promise<{ services: Map<PipelineService, ServiceProcess>; stop(): Promise<void> }> {
  const env: NodeJS.ProcessEnv = {
    ...serviceEnv(config),
    DATABASE_URL: schema.url,
    LOOP_DB_SCHEMA: schema.schema,
    LOOP_SIM_WORKLOAD: DEFAULT_WORKLOAD_PATH,
    LOOP_MINER_PASS_MS: '2000',
    LOOP_AUDIT_INTERVAL_MS: '3000',
    LOOP_SIM_LATENCY_MS: '0',
  };
  const services = new Map<PipelineService, ServiceProcess>(PIPELINE_SERVICES.map((name) => [name, startServiceProcess(name, { ...env, ...envOf(name) })]));
  const stop = () => Promise.all([...services.values()].map((s) => s.stop())).then(() => undefined);
  try {
    await Promise.all([...services.values()].map((s) => s.url));
  } catch (error) {
    await stop();
    throw error;
  }
  return { services, stop };
}

/** When each run ended (the executor's task.completed / task.failed), as this process saw it. */
export async function watchRunEnds(log: EventLog): Promise<{ endedAt: Map<string, number>; next(): Promise<void>; close(): Promise<void> }> {
  const { config } = log;
  const endedAt = new Map<string, number>();
  let wake: (() => void) | undefined;
  // NATS 2.9 takes one filter per consumer.
  const ends = await (await log.js.consumers.get(config.streamName, { filter_subjects: `${config.subjectRoot}.run.*.executor.task.>` })).consume();
  const reader = (async () => {
    for await (const m of ends) {
      const [, , runId, , , what] = m.subject.split('.');
      if ((what === 'completed' || what === 'failed') && !endedAt.has(runId)) {
        endedAt.set(runId, performance.now());
        wake?.();
      }
    }
  })();
  return {
    endedAt,
    /** Settles at the next run's end, or after half a second. */
    next: () => Promise.race([new Promise<void>((resolve) => (wake = resolve)), sleep(500).then(() => undefined)]),
    async close() {
      await ends.close();
      await reader;
    },
  };
}

/** Approves what the miner validates, as runDemo's reviewer does, so the pipeline does what the demo does. */
export async function approveValidatedRules(log: EventLog): Promise<{ close(): Promise<void> }> {
  const { config } = log;
  const approved = new Set<string>();
  const validated = await (await log.js.consumers.get(config.streamName, { filter_subjects: `${config.subjectRoot}.rule.*.miner.rule.validated` })).consume();
  const approver = (async () => {
    for await (const m of validated) {
      const event = toStoredEvent(m.seq, m.subject, m.data, config.subjectRoot).event;
      if (event?.type !== 'rule.validated' || approved.has(event.data.ruleId)) continue;
      approved.add(event.data.ruleId);
      await commandRule(log, event.data.ruleId, { type: 'approve', data: { by: 'benchmark reviewer (automatic approval)' } }).catch(() => undefined);
    }
  })();
  return {
    async close() {
      await validated.close();
      await approver;
    },
  };
}

/** Lowest checkpoint over the miner's projectors in the schema; 0 before its migrations ran. */
export async function lowestCheckpoint(db: Client, schema: string): Promise<number> {
  try {
    const { rows } = await db.query<{ m: string | null }>(`select min(last_seq)::text as m from ${db.escapeIdentifier(schema)}.projection_checkpoint`);
    return Number(rows[0]?.m ?? 0);
  } catch {
    return 0;
  }
}

export interface Backlog {
  samples: number;
  sumWaiting: number;
  maxWaiting: number;
}

/** Samples every durable consumer's waiting messages (pending + delivered unacked) until stopped. */
export function sampleBacklog(log: EventLog, everyMs: number): { current: Map<string, Backlog>; stop(): Promise<Map<string, Backlog>> } {
  const backlog = new Map<string, Backlog>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        for await (const info of log.jsm.consumers.list(log.config.streamName)) {
          const name = info.config.durable_name;
          if (!name) continue;
          const waiting = info.num_pending + info.num_ack_pending;
          const b = backlog.get(name) ?? { samples: 0, sumWaiting: 0, maxWaiting: 0 };
          b.samples++;
          b.sumWaiting += waiting;
          b.maxWaiting = Math.max(b.maxWaiting, waiting);
          backlog.set(name, b);
        }
      } catch {
        // a consumer went away mid-listing: take the next sample
      }
      await sleep(everyMs);
    }
  })();
  return {
    current: backlog,
    async stop() {
      stopped = true;
      await loop;
      return backlog;
    },
  };
}

export const workloadPath = () => path.relative(process.cwd(), DEFAULT_WORKLOAD_PATH);

/**
 * The benchmark's own stream and schema, the machine facts and a Postgres client on the schema's
 * server; each is removed by the teardown.
 */
export async function openPipelineBench(name: string, teardown: (step: () => Promise<void>) => void) {
  const bench = await openBenchLog(name);
  teardown(bench.drop);
  const schema = await openBenchSchema(name);
  teardown(schema.drop);
  const machine = await machineFacts(bench.log.nc, schema.url);
  const db = new Client({ connectionString: schema.url });
  await db.connect();
  teardown(() => db.end());
  return { log: bench.log, config: bench.config, schema, machine, db };
}
