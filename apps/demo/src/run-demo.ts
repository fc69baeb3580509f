import { createEvent, LoopEvent, Role, RulePromoted } from '@loopwright/events';
import { EventLog, LogConfig, natsCredentialsFromEnv, toStoredEvent, verifyLog, VerifyResult } from '@loopwright/eventlog';
import { goalOf, loadWorkload, seededRandom, WorkloadSpec } from '@loopwright/models';
import { parseResident, ResidentModel } from '@loopwright/mining';
import { loadRubrics } from '@loopwright/rubrics';
import { commandRule, ServiceProcess, startServiceProcess } from '@loopwright/service';
import { goldenKnownBadPassed, shadowAgreement } from './outcomes';
import { KeyStanding, keyStandings, KeyWindow, keyWindows } from './scoreboard';
import { TierWindow, tierWindows } from '@loopwright/report';
import { PipelineFigures, pipelineFigures } from './role-shares';
import { DEFAULT_PACE_EVERY, maySubmit, onPassCompleted, onRunEnded, startPacing } from './pacing';

export interface DemoSettings {
  runs: number;
  seed: string;
  window: number;
  concurrency: number;
  workloadPath: string;
  /** The roles every goal names (default: the engineer alone). */
  roles?: Role[];
  log: LogConfig;
  /** PostgreSQL schema of the miner's projections. */
  dbSchema: string;
  databaseUrl: string;
  /** The last window's runs are evaluation runs: every retired decision is also asked of the frontier. */
  heldOutRuns: number;
  /** Runs ended between two waits for a completed outer-loop pass (default DEFAULT_PACE_EVERY; 0: never wait). */
  paceEvery?: number;
  /** How long a wait may go without a completed pass before the demo fails (default 120 s). */
  passWaitMs?: number;
  /** Extra service settings, e.g. a shorter outer-loop pass. */
  serviceEnv?: NodeJS.ProcessEnv;
  onProgress?(progress: DemoProgress): void;
  onNote?(line: string): void;
  signal?: AbortSignal;
}

export interface DemoProgress {
  submitted: number;
  ended: number;
  frontier: number;
  resident: number;
  deterministic: number;
  human: number;
  promotedRules: number;
}

export interface DemoResult {
  /** The workload's own seed (its YAML `seed`). */
  workloadSeed: string;
  windows: TierWindow[];
  /** Every decision key at the end: its tier, why, and how the last window's runs answered it. */
  keys: KeyStanding[];
  /** Every decision key's decisions per window, by tier, and their cost. */
  keyWindows: Record<string, KeyWindow[]>;
  graderWindows: TierWindow[];
  agreement: number | null;
  agreementChecks: number;
  goldenKnownBadPassed: number;
  promoted: RulePromoted[];
  audit: VerifyResult;
  runs: number;
  aborted: boolean;
  /** Per role: each tier's share, the grades, where failed grades were sent; how the runs ended. */
  pipeline: PipelineFigures;
  /** The outer loop's recorded passes, and how long the demo held runs back waiting for them. */
  outerLoop: { passes: number; meanPassMs: number; waitedMs: number };
}
const DEFAULT_PASS_WAIT_MS = 120_000;

const REVIEWER = 'demo reviewer (automatic approval)';

/**
 * The demo, as one function: starts the four services as processes on the demo's log, submits
 * the runs (a few at a time), approves what the miner validates the way a reviewer would, and
 * folds the log into the figures: tier share per window, agreement on held-out runs, golden
 * known-bad examples passed under the promoted rules, and the audit chain.
 */
export async function runDemo(settings: DemoSettings): Promise<DemoResult> {
  const workload = loadWorkload(settings.workloadPath);
  // the operator provisions the demo's stream and bucket; the demo itself appends as the submitter
  const location = { ...settings.log, user: undefined, pass: undefined };
  await (await EventLog.open({ ...location, producer: 'submitter', ...natsCredentialsFromEnv('operator') })).close();
  const log = await EventLog.open({ ...location, producer: 'submitter' });
  const env: NodeJS.ProcessEnv = {
    NATS_URL: settings.log.natsUrl,
    LOOP_STREAM: settings.log.streamName,
    LOOP_SUBJECT_ROOT: settings.log.subjectRoot,
    LOOP_ARTIFACT_BUCKET: settings.log.artifactBucket,
    DATABASE_URL: settings.databaseUrl,
    LOOP_DB_SCHEMA: settings.dbSchema,
    LOOP_SIM_WORKLOAD: settings.workloadPath,
    LOOP_MINER_PASS_MS: '2000',
    LOOP_AUDIT_INTERVAL_MS: '3000',
    ...settings.serviceEnv,
  };
  const passWaitMs = settings.passWaitMs ?? DEFAULT_PASS_WAIT_MS;
  const services: ServiceProcess[] = (['router', 'miner', 'grader', 'executor'] as const).map((name) => startServiceProcess(name, env));
  const events: LoopEvent[] = [];
  const progress: DemoProgress = { submitted: 0, ended: 0, frontier: 0, resident: 0, deterministic: 0, human: 0, promotedRules: 0 };
  const ended = new Set<string>();
  const approved = new Set<string>();
  let pacing = startPacing(settings.paceEvery ?? DEFAULT_PACE_EVERY);
  let lastApprovalSeq = 0;
  const passes = { n: 0, ms: 0, lastAt: Date.now(), lastReadThrough: 0, waitedMs: 0 };
  let wake: (() => void) | undefined;
  let aborted = false;
  settings.signal?.addEventListener('abort', () => {
    aborted = true;
    wake?.();
  });

  try {
    await Promise.all(services.map((s) => s.url));
    const consumer = await log.js.consumers.get(settings.log.streamName, { filter_subjects: `${settings.log.subjectRoot}.>` });
    const messages = await consumer.consume();
    const reader = (async () => {
      for await (const message of messages) {
        const event = toStoredEvent(message.seq, message.subject, message.data, settings.log.subjectRoot).event;
        if (!event) continue;
        events.push(event);
        if (event.type === 'decision.completed' && !event.data.shadow) progress[event.data.tier]++;
        // The executor's last word on a run: done, stuck, gate failed or blocked on a person.
        if (event.type === 'run.ended' && !ended.has(event.aggregateId)) {
          ended.add(event.aggregateId);
          progress.ended = ended.size;
          pacing = onRunEnded(pacing, ended.size, message.seq);
          wake?.();
        }
        if (event.type === 'miner.pass.completed') {
          Object.assign(passes, { n: passes.n + 1, ms: passes.ms + event.data.durationMs, lastAt: Date.now(), lastReadThrough: event.data.readThroughSeq });
          pacing = onPassCompleted(pacing, event.data.readThroughSeq, lastApprovalSeq);
          wake?.();
        }
        if (event.type === 'rule.promoted') {
          progress.promotedRules++;
          settings.onNote?.(`rule ${event.data.ruleId} promoted: ${event.data.key} now goes to the ${event.data.tier} tier`);
        }
        if (event.type === 'rule.demoted') settings.onNote?.(`rule ${event.data.ruleId} demoted: ${event.data.reason}`);
        if (event.type === 'rule.validated' && !approved.has(event.data.ruleId)) {
          approved.add(event.data.ruleId);
          const decision = await commandRule(log, event.data.ruleId, { type: 'approve', data: { by: REVIEWER } });
          if (decision?.kind === 'append') {
            // at least the approval's own sequence: the pass that reads through it promotes the rule
            lastApprovalSeq = (await log.jsm.streams.info(settings.log.streamName)).state.last_seq;
            settings.onNote?.(`${REVIEWER} approves rule ${event.data.ruleId}`);
          }
        }
        settings.onProgress?.(progress);
      }
    })();

    const pick = seededRandom('demo', settings.seed);
    const firstHeldOut = settings.runs - settings.heldOutRuns;
    for (let n = 0; n < settings.runs && !aborted; n++) {
      while (progress.submitted - ended.size >= settings.concurrency && !aborted) await new Promise<void>((r) => (wake = r));
      const heldSince = Date.now();
      while (!maySubmit(pacing) && !aborted) {
        const silentMs = Date.now() - Math.max(heldSince, passes.lastAt);
        if (silentMs > passWaitMs) {
          throw new Error(
            `the miner completed no pass in ${Math.round(silentMs / 1000)} s while the demo waited for one that read the log through sequence ` +
              `${pacing.awaitedSeq} (the last read through ${passes.lastReadThrough}); is the miner running and passing?`,
          );
        }
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 1_000);
        });
      }
      passes.waitedMs += Date.now() - heldSince;
      if (aborted) break;
      await log.append(simGoalEvent(workload, `run-${settings.seed}-${String(n + 1).padStart(4, '0')}`, pick, settings.seed, n >= firstHeldOut, settings.roles));
      progress.submitted++;
      settings.onProgress?.(progress);
    }
    while (ended.size < progress.submitted && !aborted) await new Promise<void>((r) => (wake = r));
    await messages.close();
    await reader;

    const rubrics = loadRubrics();
    const promoted = latestPromotions(events);
    const heldOut = new Set(events.filter((e) => e.type === 'goal.submitted' && e.data.labels['shadowAll'] === 'true').map((e) => e.aggregateId));
    const { agreement, n } = shadowAgreement(events, heldOut);
    return {
      workloadSeed: workload.seed,
      keys: keyStandings(events, lastWindowRuns(events, settings.window)),
      windows: tierWindows(events, settings.window),
      keyWindows: keyWindows(events, settings.window),
      graderWindows: tierWindows(events, settings.window, (key) => key.startsWith('grader:')),
      agreement,
      agreementChecks: n,
      goldenKnownBadPassed: goldenKnownBadPassed(rubrics, promoted, await residentModels(log, events, promoted)),
      promoted,
      audit: await verifyLog(log),
      runs: progress.submitted,
      aborted,
      pipeline: pipelineFigures(events),
      outerLoop: { passes: passes.n, meanPassMs: passes.n === 0 ? 0 : Math.round(passes.ms / passes.n), waitedMs: passes.waitedMs },
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await log.close();
  }
}

/** The runs of the last window, by the order they were submitted. */
function lastWindowRuns(events: readonly LoopEvent[], window: number): Set<string> {
  const runs = events.filter((e) => e.type === 'goal.submitted').map((e) => e.aggregateId);
  const unique = [...new Set(runs)];
  return new Set(unique.slice(Math.floor((unique.length - 1) / window) * window));
}

/** The promoted residents' models, read from their artifacts. */
async function residentModels(log: EventLog, events: readonly LoopEvent[], promoted: readonly RulePromoted[]): Promise<Map<string, ResidentModel>> {
  const models = new Map<string, ResidentModel>();
  const wanted = new Set(promoted.flatMap((r) => (r.modelId ? [r.modelId] : [])));
  for (const e of events) {
    if (e.type !== 'resident.trained' || !wanted.has(e.data.modelId)) continue;
    const bytes = await (await log.artifacts()).get(e.data.artifactDigest);
    models.set(e.data.modelId, parseResident(new TextDecoder().decode(bytes)));
  }
  return models;
}

/** The rules in force at the end: promoted and not demoted since. */
function latestPromotions(events: readonly LoopEvent[]): RulePromoted[] {
  const byRule = new Map<string, RulePromoted>();
  for (const e of events) {
    if (e.type === 'rule.promoted') byRule.set(e.data.ruleId, e.data);
    if (e.type === 'rule.demoted') byRule.delete(e.data.ruleId);
  }
  return [...byRule.values()];
}

/** The goal.submitted of one simulated run of the workload: a goal drawn with `pick`, the roles given (the engineer alone by default). */
export function simGoalEvent(workload: WorkloadSpec, runId: string, pick: () => number, seed: string, heldOut = false, roles: Role[] = ['engineer']) {
  const goal = workload.goals[Math.floor(pick() * workload.goals.length)];
  const spec = goalOf(workload, goal.id);
  return createEvent({
    type: 'goal.submitted',
    aggregateId: runId,
    producer: 'submitter',
    data: {
      goalId: spec.id, title: spec.title, description: spec.description, roles, allowedPaths: spec.allowedPaths,
      testCommand: spec.testCommand, seedFiles: spec.seedFiles, budgetUsd: 2 * roles.length, maxIterations: 3, maxTurns: 12, backend: 'sim',
      labels: {
        simGoal: spec.id, simSeed: seed, ...(heldOut ? { shadowAll: 'true' } : {}),
        ...(spec.deployCommand ? { deployCommand: spec.deployCommand } : {}), ...(spec.verifyCommand ? { verifyCommand: spec.verifyCommand } : {}),
      },
    },
  });
}
