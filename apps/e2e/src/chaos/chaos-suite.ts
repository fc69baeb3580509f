import { setTimeout as sleep } from 'node:timers/promises';
import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig, passwordVariable, startNatsWithIdentities, verifyLog } from '@loopwright/eventlog';
import { goalOf, loadWorkload } from '@loopwright/models';
import { ALL_PROJECTIONS, openDatabase, PROJECTION_MIGRATIONS, projectionPosition, replayProjections } from '@loopwright/projections';
import { tableRows } from '@loopwright/projections/testing';
import { ServiceProcess, startServiceProcess } from '@loopwright/service';
import type { DataSource } from 'typeorm';
import { E2E_WORKLOAD } from '../harness';
import { CheckResult, checkRuns } from './chaos-checks';
import { startOwnPostgres } from './own-postgres';

export const FAULTS = ['kill-executor', 'kill-grader', 'kill-router', 'kill-miner', 'kill-nats', 'stop-postgres', 'crashing-handler'] as const;
export type Fault = (typeof FAULTS)[number];
type Service = 'executor' | 'grader' | 'router' | 'miner';
const SERVICES: Service[] = ['router', 'executor', 'grader', 'miner'];

export interface ChaosOptions {
  /** Every fault once per round. */
  rounds: number;
  /** Runs submitted with each fault. */
  runsPerFault: number;
  faults?: readonly Fault[];
  /** How long the runs may take to end after the last fault. */
  settleMs: number;
  say?(line: string): void;
}

export interface FaultRecord {
  fault: Fault;
  round: number;
  /** The fault struck while a handler of the service was working (else it struck between handlers). */
  midHandler: boolean;
  /** From the fault until the part it struck works again (appends, or projections caught up). */
  recoveryMs: number;
  /** False when it did not work again within RECOVERY_LIMIT_MS. */
  recovered: boolean;
  /** Service processes that died by themselves during the fault's window (restarted by the suite's supervisor). */
  crashes: number;
}

export interface ChaosReport {
  runs: number;
  faults: FaultRecord[];
  checks: CheckResult[];
  passed: boolean;
}

const RECOVERY_LIMIT_MS = 120_000;
const SCOPE = { streamName: 'CHAOS', subjectRoot: 'chaos', objectStoreBucket: 'CHAOS_artifacts' };

async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(100);
  }
  return undefined;
}

/**
 * Simulated runs while each part is struck in turn: a service killed (-9) mid-handler and restarted,
 * the suite's own nats-server killed and restarted, its own PostgreSQL cluster stopped and started, a
 * goal whose test command kills its parent. Then the checks: every run ended, one grade per work, each
 * decision completed once, no budget exceeded, the audit chain verifies, projections equal a replay row
 * for row, the consumers on the server back to their steady count.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const say = options.say ?? (() => undefined);
  const nats = await startNatsWithIdentities(SCOPE);
  const pg = await startOwnPostgres();
  const config: LogConfig = {
    natsUrl: nats.server.url, streamName: SCOPE.streamName, subjectRoot: SCOPE.subjectRoot, producer: 'submitter', user: 'operator',
    pass: nats.env[passwordVariable('operator')], duplicateWindowMs: 120_000, artifactBucket: SCOPE.objectStoreBucket,
  };
  const log = await EventLog.open(config);
  const env: NodeJS.ProcessEnv = {
    ...nats.env, NATS_URL: nats.server.url, LOOP_STREAM: SCOPE.streamName, LOOP_SUBJECT_ROOT: SCOPE.subjectRoot, LOOP_ARTIFACT_BUCKET: SCOPE.objectStoreBucket,
    DATABASE_URL: pg.url, LOOP_DB_SCHEMA: 'chaos', LOOP_SIM_WORKLOAD: E2E_WORKLOAD, LOOP_SIM_LATENCY_MS: '150', LOOP_ACK_WAIT_MS: '5000',
  };
  const services = new Map<Service, ServiceProcess>();
  const stopping = new Set<Service>();
  let crashes = 0;
  let live: DataSource | undefined;

  // a supervisor, as a deployment has one: a service that dies by itself is started again
  const start = async (name: Service): Promise<void> => {
    const service = startServiceProcess(name, env);
    services.set(name, service);
    service.child.once('exit', () => {
      if (stopping.has(name) || services.get(name) !== service) return;
      crashes++;
      say(`  ${name} died by itself; starting it again`);
      void sleep(500).then(() => start(name)).catch((error: unknown) => say(`  ${name} did not start again: ${(error as Error).message}`));
    });
    await service.url;
  };
  const kill = async (name: Service): Promise<void> => {
    stopping.add(name);
    await services.get(name)?.stop('SIGKILL');
    stopping.delete(name);
  };
  const lastSeq = async () => (await log.jsm.streams.info(SCOPE.streamName)).state.last_seq;
  const appendedBy = async (producer: string, afterSeq: number) => {
    let found = false;
    for await (const stored of log.replay({ filter: `${SCOPE.subjectRoot}.*.*.${producer}.>`, fromSeq: afterSeq + 1 })) found ||= stored.seq > afterSeq;
    return found || undefined;
  };
  const projectedTo = async (seq: number) => ((await projectionPosition(live!)) >= seq ? true : undefined);

  const runIds: string[] = [];
  const budgets = [2, 0.5];
  const workload = loadWorkload(E2E_WORKLOAD);
  const submit = async (runId: string, poison: boolean) => {
    const goalId = workload.goals[runIds.length % workload.goals.length].id;
    const goal = goalOf(workload, goalId);
    runIds.push(runId);
    await log.append(
      createEvent({
        type: 'goal.submitted', aggregateId: runId, producer: 'submitter',
        data: {
          goalId, title: goal.title, description: goal.description, roles: ['engineer'], allowedPaths: goal.allowedPaths,
          testCommand: poison ? `kill -9 $PPID; ${goal.testCommand}` : goal.testCommand, seedFiles: goal.seedFiles,
          budgetUsd: budgets[runIds.length % budgets.length], maxIterations: 3, maxTurns: 12, backend: 'sim',
          labels: { simGoal: goalId, simSeed: `chaos-${runId}` },
        },
      }),
    );
  };
  const batchHas = (runs: readonly string[], type: LoopEvent['type']) => async () => {
    for (const runId of runs) if ((await log.readRun(runId)).some((e) => e.type === type)) return true;
    return undefined;
  };
  const consumerCounts = async () => {
    let total = 0;
    let durables = 0;
    for await (const consumer of log.jsm.consumers.list(SCOPE.streamName)) {
      total++;
      if (consumer.config.durable_name) durables++;
    }
    return { total, durables };
  };
  const ended = (runId: string) => async () => ((await log.readRun(runId)).some((e) => e.type === 'run.graded') ? true : undefined);

  const faults: FaultRecord[] = [];
  try {
    for (const name of SERVICES) await start(name);
    live = await openDatabase({ url: pg.url, schema: 'chaos' }, PROJECTION_MIGRATIONS);
    await submit('chaos-warmup', false);
    await waitFor(ended('chaos-warmup'), options.settleMs);
    await sleep(6_000);
    const steady = await consumerCounts();
    say(`steady consumers: ${steady.total} (${steady.durables} durable)`);

    for (let round = 1; round <= options.rounds; round++) {
      for (const fault of options.faults ?? FAULTS) {
        const batch = Array.from({ length: options.runsPerFault }, (_, i) => `chaos-${round}-${fault}-${i}`);
        const crashesBefore = crashes;
        for (const runId of batch) await submit(runId, fault === 'crashing-handler');
        const record = await strike(fault, batch);
        faults.push({ ...record, fault, round, crashes: crashes - crashesBefore });
        say(`round ${round} ${fault}: ${record.midHandler ? 'mid-handler' : 'between handlers'}, ${record.recovered ? `recovered in ${record.recoveryMs} ms` : 'not recovered'}`);
      }
    }

    const unended = [];
    let runsEndedSeq = 0;
    for (const runId of runIds) if (!(await waitFor(ended(runId), Math.max(1_000, options.settleMs)))) unended.push(runId);
    runsEndedSeq = await lastSeq();
    say(`runs ended: ${runIds.length - unended.length} of ${runIds.length}`);
    const caughtUp = await waitFor(() => projectedTo(runsEndedSeq), 60_000);
    // a reader at work right now is no leak: wait a while for the count to come back down
    let after = await consumerCounts();
    await waitFor(async () => ((after = await consumerCounts()).total <= steady.total ? true : undefined), 30_000);

    const runs = new Map<string, LoopEvent[]>();
    for (const runId of runIds) runs.set(runId, await log.readRun(runId));
    const ledger = await log.budgets();
    const overLedger: string[] = [];
    for (const runId of runIds) {
      const account = await ledger.goal(runId);
      if (account && account.spentMicros > account.limitMicros) overLedger.push(runId);
    }

    stopping.add('miner');
    await services.get('miner')?.stop();
    await replayProjections(log, live);
    const rebuilt = await openDatabase({ url: pg.url, schema: 'chaos_rebuild' }, PROJECTION_MIGRATIONS);
    await replayProjections(log, rebuilt);
    const tables = [...ALL_PROJECTIONS.readModels, ...ALL_PROJECTIONS.links].flatMap((p) => p.tables);
    const [liveRows, rebuiltRows] = [await tableRows(live, tables), await tableRows(rebuilt, tables)];
    const differing = tables.filter((t) => JSON.stringify(liveRows[t]) !== JSON.stringify(rebuiltRows[t]));
    await rebuilt.destroy();
    const audit = await verifyLog(log);

    const stuck = faults.filter((f) => !f.recovered).map((f) => `${f.fault} (round ${f.round})`);
    const checks: CheckResult[] = [
      { name: 'every fault recovered', ok: stuck.length === 0, detail: stuck.length ? `not within ${RECOVERY_LIMIT_MS / 1000} s: ${stuck.join(', ')}` : `${faults.length} faults` },
      ...checkRuns(runs),
      { name: 'no budget account past its limit', ok: overLedger.length === 0, detail: overLedger.length ? overLedger.join(', ') : `${runIds.length} accounts` },
      { name: 'audit verify passes', ok: audit.ok, detail: audit.ok ? `${audit.checked} events` : `diverges at ${audit.firstDivergentSeq}: ${audit.reason}` },
      { name: 'projections caught up by themselves', ok: Boolean(caughtUp), detail: `to seq ${runsEndedSeq}${caughtUp ? '' : ': not within 60 s'}` },
      { name: 'projections equal a replay row for row', ok: differing.length === 0, detail: differing.length ? `differ: ${differing.join(', ')}` : `${tables.length} tables` },
      {
        name: 'consumers back to their steady count',
        ok: after.total <= steady.total && after.durables === steady.durables,
        detail: `steady ${steady.total} (${steady.durables} durable), after ${after.total} (${after.durables} durable)`,
      },
    ];
    return { runs: runIds.length, faults, checks, passed: checks.every((c) => c.ok) };
  } finally {
    for (const name of SERVICES) stopping.add(name);
    await Promise.all([...services.values()].map((s) => s.stop('SIGKILL')));
    await live?.destroy().catch(() => undefined);
    await log.close().catch(() => undefined);
    await pg.destroy();
    await nats.stop();
  }

  async function strike(fault: Fault, batch: readonly string[]): Promise<{ midHandler: boolean; recoveryMs: number; recovered: boolean }> {
    const until = (type: LoopEvent['type']) => waitFor(batchHas(batch, type), 60_000).then(Boolean);
    const service = fault.startsWith('kill-') && fault !== 'kill-nats' ? (fault.slice('kill-'.length) as Service) : undefined;
    if (service) {
      const trigger = { executor: 'trace.step', grader: 'work.produced', router: 'decision.requested', miner: 'trace.step' } as const;
      const midHandler = await until(trigger[service]);
      const seq = await lastSeq();
      const struck = Date.now();
      await kill(service);
      await start(service);
      const back = service === 'miner' ? () => projectedTo(seq) : () => appendedBy(service, seq);
      const recovered = Boolean(await waitFor(back, RECOVERY_LIMIT_MS));
      return { midHandler, recoveryMs: Date.now() - struck, recovered };
    }
    if (fault === 'kill-nats') {
      const midHandler = await until('trace.step');
      const seq = await lastSeq();
      const struck = Date.now();
      await nats.server.kill('SIGKILL');
      await sleep(1_000);
      await nats.server.start();
      const recovered = Boolean(await waitFor(async () => ((await lastSeq()) > seq ? true : undefined), RECOVERY_LIMIT_MS));
      return { midHandler, recoveryMs: Date.now() - struck, recovered };
    }
    if (fault === 'stop-postgres') {
      const midHandler = await until('trace.step');
      const struck = Date.now();
      await pg.stop();
      await sleep(2_000);
      await pg.start();
      const seq = await lastSeq();
      const recovered = Boolean(await waitFor(() => projectedTo(seq), RECOVERY_LIMIT_MS));
      return { midHandler, recoveryMs: Date.now() - struck, recovered };
    }
    const struck = Date.now();
    const midHandler = await until('trace.step');
    const recovered = Boolean(await waitFor(async () => ((await Promise.all(batch.map((runId) => ended(runId)()))).every(Boolean) ? true : undefined), RECOVERY_LIMIT_MS));
    return { midHandler, recoveryMs: Date.now() - struck, recovered };
  }
}

/** The report as lines for a person. */
export function formatChaosReport(report: ChaosReport): string {
  const byFault = new Map<Fault, FaultRecord[]>();
  for (const record of report.faults) byFault.set(record.fault, [...(byFault.get(record.fault) ?? []), record]);
  const lines = [`${report.runs} runs, ${report.faults.length} faults`, '', 'fault | times | mid-handler | recovered | recovery ms (median, max) | crashes'];
  for (const [fault, records] of byFault) {
    const ms = records.map((r) => r.recoveryMs).sort((a, b) => a - b);
    const median = ms[Math.floor(ms.length / 2)];
    const recovered = records.filter((r) => r.recovered).length;
    lines.push(`${fault} | ${records.length} | ${records.filter((r) => r.midHandler).length} | ${recovered} | ${median}, ${ms.at(-1)} | ${records.reduce((s, r) => s + r.crashes, 0)}`);
  }
  lines.push('', ...report.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`), '', report.passed ? 'chaos: every check passed' : 'chaos: some checks failed');
  return lines.join('\n');
}
