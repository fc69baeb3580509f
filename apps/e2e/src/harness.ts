import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEvent, EventDataInput, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { goalOf, loadWorkload, WorkloadSpec } from '@loopwright/models';
import { dropTestStream, testLogConfig } from '@loopwright/testing';
import { ServiceProcess, startServiceProcess } from '@loopwright/service';

export const E2E_WORKLOAD = path.resolve(__dirname, '../../../workloads/engineer-e2e.yaml');

export const NO_DEFECTS = {
  claims_without_running_tests: 0, writes_outside_scope: 0, thrashes: 0, stops_at_turn_limit: 0, missing_sections: 0, broken_code: 0,
};

/** The bundled e2e workload with overrides, written where the services can read it. */
export function writeWorkload(overrides: Partial<WorkloadSpec>): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'loopwright-e2e-')), 'workload.json');
  writeFileSync(file, JSON.stringify({ ...loadWorkload(E2E_WORKLOAD), ...overrides }));
  return file;
}

export async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What `work` resolves to, or undefined once `ms` have passed; the timer is cleared either way, so it holds no process open. */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<undefined>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms), undefined)))]);
  } finally {
    clearTimeout(timer);
  }
}

export type SeqEvent = LoopEvent & { seq: number };

type ServiceName = 'executor' | 'grader' | 'router' | 'miner' | 'console';

export function ofType<T extends LoopEvent['type']>(events: readonly SeqEvent[], type: T) {
  return events.filter((e): e is Extract<LoopEvent, { type: T }> & { seq: number } => e.type === type);
}

/** A test's own stream, the services as processes on it, and helpers to drive a run. */
/** Each model-calling service's own key and model server: the executor's agent, the grader's judge. */
export function modelServersEnv(name: string, agentUrl: string, judgeUrl: string): Partial<Record<ServiceName, NodeJS.ProcessEnv>> {
  return {
    executor: { ANTHROPIC_API_KEY: `sk-ant-${name}-executor`, LOOPWRIGHT_MODEL_BASE_URL: agentUrl },
    grader: { GRADER_ANTHROPIC_API_KEY: `sk-ant-${name}-grader`, LOOPWRIGHT_MODEL_BASE_URL: judgeUrl },
  };
}

export class InnerLoopHarness {
  readonly services = new Map<string, ServiceProcess>();

  private constructor(
    readonly config: LogConfig,
    readonly log: EventLog,
    private readonly env: NodeJS.ProcessEnv,
    private readonly perService: Partial<Record<ServiceName, NodeJS.ProcessEnv>> = {},
  ) {}

  /** `perService`: variables only one service sees (its own model's address, as a deployment gives each service its own environment). */
  static async open(name: string, env: NodeJS.ProcessEnv, perService: Partial<Record<ServiceName, NodeJS.ProcessEnv>> = {}): Promise<InnerLoopHarness> {
    const base = testLogConfig(name);
    const config: LogConfig = { ...base, producer: 'submitter', duplicateWindowMs: 120_000, artifactBucket: `${base.streamName}_artifacts` };
    const log = await EventLog.open(config);
    return new InnerLoopHarness(config, log, {
      NATS_URL: config.natsUrl,
      LOOP_STREAM: config.streamName,
      LOOP_SUBJECT_ROOT: config.subjectRoot,
      LOOP_ARTIFACT_BUCKET: config.artifactBucket,
      ...env,
    }, perService);
  }

  async start(...names: ServiceName[]): Promise<void> {
    for (const name of names) this.services.set(name, startServiceProcess(name, { ...this.env, ...this.perService[name] }));
    await Promise.all(names.map((n) => this.services.get(n)!.url));
  }

  /** `count` processes of one service on the same durable consumers, competing for its events: named `<service>#<n>`. */
  async startReplicas(name: ServiceName, count: number): Promise<void> {
    const replicas = Array.from({ length: count }, (_, i) => `${name}#${i + 1}`);
    for (const replica of replicas) this.services.set(replica, startServiceProcess(name, { ...this.env, ...this.perService[name] }));
    await Promise.all(replicas.map((r) => this.services.get(r)!.url));
  }

  /** Settings for the services started from now on. */
  setEnv(overrides: NodeJS.ProcessEnv): void {
    Object.assign(this.env, overrides);
  }

  async stop(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.services.get(name)?.stop(signal);
    this.services.delete(name);
  }

  async submit(runId: string, goalId: string, overrides: Partial<EventDataInput<'goal.submitted'>> = {}): Promise<void> {
    const goal = goalOf(loadWorkload(E2E_WORKLOAD), goalId);
    await this.log.append(
      createEvent({
        type: 'goal.submitted',
        aggregateId: runId,
        producer: 'submitter',
        data: {
          goalId, title: goal.title, description: goal.description, roles: ['engineer'], allowedPaths: goal.allowedPaths,
          testCommand: goal.testCommand, seedFiles: goal.seedFiles, budgetUsd: 5, maxIterations: 3, maxTurns: 12, backend: 'sim',
          labels: { simGoal: goalId, simSeed: 'e2e' }, ...overrides,
        },
      }),
    );
  }

  /** Waits until the run's task has ended (completed or failed) and returns the run's events. */
  ended(runId: string): Promise<SeqEvent[]> {
    return until(async () => {
      const run = await this.log.readRun(runId);
      return run.some((e) => e.type === 'task.completed' || e.type === 'task.failed') ? run : undefined;
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    await this.log.close();
    await dropTestStream(this.config.natsUrl, this.config.streamName);
  }
}
