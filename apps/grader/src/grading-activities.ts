import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  ARTIFACT_PATHS, computeWorkFeatures, deliveredChange, FeatureVector, ProbeEvidence, ProbePlan, ProbePlanSchema, probesByTier,
  readArtifact, renderTraceForJudge, rerunFilesFor, rerunPassed, rerunReadOnlyPaths, RoleBoundaries, roleArtifactFiles, testOutcome, exitStatusIsTheRunners,
} from '@loopwright/checks';
import { abandonedAttempts, attemptOfStep, deterministicId, EventOf, GoalSubmitted, LoopEvent, NewEvent, ReviewResolved, TraceStep, WorkVerified, spendKeyOf } from '@loopwright/events';
import type { ArtifactStore, SpendGuard } from '@loopwright/eventlog';
import {
  baseWorkOf, completedEvent, contradictions, entryOfDecision, pipelineOfRun, priorRevisionOf, reviewsToRead, runGradeEvent, trustedProducer,
  upstreamGateOf, GradingActivity, GradingEvent, GradingItem, GradingState, JudgeAnswer, judgePrompt, judgeSystemPrompt,
} from '@loopwright/grading';
import { workTexts } from '@loopwright/mining';
import { DimensionAnswerSchema, GateAnswerSchema, ModelCall, ModelProvider, SimJudgeContext, UnusableAnswerError } from '@loopwright/models';
import type { Rubric } from '@loopwright/rubrics';
import { SandboxUnavailableError } from '@loopwright/core';
import { decodeSnapshot, decodeSnapshotWithIrregular, runSandboxedCommand, Workspace } from '@loopwright/sandbox';

/** A resident classifier distilled from frontier verdicts: a verdict with its calibrated confidence. */
export interface ResidentPredictor {
  predict(features: FeatureVector, texts?: readonly string[]): { verdict: string; confidence: number };
}

export interface GradingActivityDeps {
  rubrics: readonly Rubric[];
  /** Who owns what, per role: the boundary a work's change is judged against. */
  boundaries: RoleBoundaries;
  artifacts(): Promise<ArtifactStore>;
  /** How people resolved a review, read from the log (resolutions, newest last). */
  reviewResolutions(reviewId: string): Promise<ReviewResolved[]>;
  /** The frontier judge, on the grader's own credentials (never the executor's). */
  frontier(goal: GoalSubmitted): ModelProvider;
  resident(modelId: string): Promise<ResidentPredictor | undefined>;
  commandTimeoutMs: number;
  /** The shared budget: each judge call is held before it is made and charged after. */
  spend(): Promise<SpendGuard>;
  /** The most one judge call may cost (LOOP_JUDGE_ESTIMATE_USD). */
  judgeEstimateUsd: number;
  /** A fresh fence boundary per judge request; random unless a test pins it. */
  boundary?: () => string;
}

type Completion = Parameters<typeof completedEvent>[2];
/** The files a re-run or probe runs on, and those of them it mounts read-only. */
type RerunFiles = { files: readonly { path: string; content: string }[]; readOnly: readonly string[] };
const MAX_RERUN_OUTPUT = 8_000;

/** The grader's I/O, built from its dependencies: each activity returns the events it produced. */
export function createGradingActivities(deps: GradingActivityDeps) {
  const boundary = deps.boundary ?? (() => randomBytes(18).toString('base64url'));

  async function verify(state: GradingState, runEvents: readonly LoopEvent[], work: EventOf<'work.produced'>): Promise<GradingEvent[]> {
    const goal = state.goal!;
    const store = await deps.artifacts();
    const { files, irregular } = decodeSnapshotWithIrregular(await store.get(work.data.artifactDigest));
    const role = work.data.role;
    const pipeline = pipelineOfRun(state, role);
    // The workspace the role started from: the earlier role's accepted work it names, else the goal's seed.
    const baseWork = baseWorkOf(state, work);
    const base = baseWork ? decodeSnapshot(await store.get(baseWork.work.data.artifactDigest)) : goal.seedFiles;
    const ownArtifacts = Object.values(roleArtifactFiles(role)).flat();
    const change = deliveredChange(base, files, irregular, goal.allowedPaths, [...goal.scratchPaths, ...ownArtifacts]);
    const scope = { role, pipeline, boundaries: deps.boundaries, allowedPaths: goal.allowedPaths, scratchPaths: goal.scratchPaths };
    const rerunFiles = rerunFilesFor(scope, base, files);
    const rerunOn: RerunFiles = { files: rerunFiles, readOnly: rerunReadOnlyPaths(scope, rerunFiles) };
    const rerun = goal.backend === 'import' ? notRerun(goal) : await rerunTests(goal, rerunOn);
    const probePlan = role === 'tester' ? readArtifact(files, ARTIFACT_PATHS.probePlan, ProbePlanSchema).value : null;
    const probes = probePlan && goal.backend !== 'import' ? await runProbes(probePlan, rerunOn) : [];
    const steps = stepsOf(runEvents, goal, work);
    // The goal's test command and scope, never the worker's account of them.
    const judgedWork = { ...work.data, testCommand: goal.testCommand, allowedPaths: goal.allowedPaths, scratchPaths: goal.scratchPaths };
    const computed = computeWorkFeatures({
      context: { role, pipeline, boundaries: deps.boundaries, goal },
      steps, work: judgedWork, change, delivered: files, base, baseRevision: baseWork?.work.data.artifactDigest ?? '',
      rerun: goal.backend === 'import' ? null : rerun, probes, upstreamGate: role === 'deployer' ? upstreamGateOf(state) : null,
      priorRevision: priorRevisionOf(state, work),
    });
    const changed = new Set([...change.created, ...change.modified]);
    const texts = workTexts(work.data.finalMessage, files.filter((f) => changed.has(f.path)));
    const event: NewEvent<'work.verified'> = {
      type: 'work.verified',
      id: deterministicId('work.verified', work.data.workId),
      aggregateId: work.aggregateId,
      producer: 'grader',
      correlationId: work.correlationId,
      causationId: work.id,
      data: {
        workId: work.data.workId, taskId: work.data.taskId, role, iteration: work.data.iteration,
        rerun, change, features: computed.features as FeatureVector & Record<string, number | boolean | string>, texts, unsafe: rerun.isolation === 'none',
        ...(baseWork ? { base: { workId: baseWork.work.data.workId, artifactDigest: baseWork.work.data.artifactDigest } } : {}),
        ...(role === 'tester' ? { probes: probes.map((p) => ({ ...p, detail: p.detail.slice(-2_000) })) } : {}),
        ...(computed.releaseGate ? { releaseGate: computed.releaseGate } : {}),
        ...(computed.deploymentReport ? { deploymentReport: computed.deploymentReport } : {}),
      },
    };
    return [event];
  }

  /**
   * Runs a probe plan's probes in the grader's own sandbox, tier by tier: a tier runs only when every
   * earlier tier passed, so no later evidence stands on an earlier failure.
   */
  async function runProbes(plan: ProbePlan, files: RerunFiles): Promise<ProbeEvidence[]> {
    const evidence: ProbeEvidence[] = [];
    let blocked = '';
    for (const { tier, probeIds } of probesByTier(plan)) {
      for (const id of probeIds) {
        const probe = plan.probes.find((p) => p.id === id)!;
        if (blocked) {
          evidence.push({ probeId: id, status: 'not_executed', exitCode: null, detail: `not run: the ${blocked} tier did not pass` });
          continue;
        }
        const result = await runInSandbox(probe.command, files);
        const expected = probe.expect.exitCode;
        const outputOk = !probe.expect.outputIncludes || result.output.includes(probe.expect.outputIncludes);
        // A test run whose line masks the runner's exit status (`|| true`) passes only on the runner's own summary.
        const statusShown = exitStatusIsTheRunners(probe.command);
        const passed = result.exitCode === expected && outputOk && (expected !== 0 || testOutcome(result.output, statusShown ? result.exitCode : undefined) === 'passed');
        const why = result.exitCode !== expected ? `exited ${result.exitCode ?? 'without an exit code'}, expected ${expected}` : !outputOk ? `output lacks "${probe.expect.outputIncludes}"` : '';
        evidence.push({ probeId: id, status: passed ? 'executed_pass' : 'executed_fail', exitCode: result.exitCode, detail: passed ? result.output.slice(-300) : `${why}: ${result.output.slice(-300)}` });
      }
      if (evidence.some((e) => e.status === 'executed_fail')) blocked ||= tier;
    }
    return evidence;
  }

  async function runInSandbox(command: string, { files, readOnly }: RerunFiles): Promise<{ exitCode: number | null; output: string; timedOut: boolean; isolation: WorkVerified['rerun']['isolation']; durationMs: number }> {
    const workspace = await Workspace.create('grade');
    try {
      await workspace.restore(files);
      // The status is the verdict on the code under test: its node processes run under the test process guard.
      // What the role may not write is mounted read-only: no test process rewrites the tests of the next.
      const result = await runSandboxedCommand(command, workspace.root, { wallTimeMs: deps.commandTimeoutMs, guardNode: true, readOnlyPaths: readOnly });
      return { exitCode: result.exitCode, output: result.output.slice(-MAX_RERUN_OUTPUT), timedOut: result.timedOut, isolation: result.isolation, durationMs: result.durationMs };
    } catch (error) {
      // No sandbox, no run: the work fails closed, and the record says what to install.
      if (!(error instanceof SandboxUnavailableError)) throw error;
      return { exitCode: null, output: error.message, timedOut: false, isolation: 'skipped', durationMs: 0 };
    } finally {
      await workspace.dispose();
    }
  }

  /** The run ended: how people resolved its reviews decides whether failing work was accepted; then the run rubric. */
  async function gradeRun(state: GradingState): Promise<GradingEvent[]> {
    const rubric = deps.rubrics.find((r) => r.surface === 'run');
    if (!rubric) return [];
    const resolutions = new Map<string, ReviewResolved['resolution']>();
    for (const reviewId of reviewsToRead(state)) {
      const resolved = (await deps.reviewResolutions(reviewId)).at(-1);
      if (resolved) resolutions.set(reviewId, resolved.resolution);
    }
    const event = runGradeEvent(state, rubric, resolutions);
    return event ? [event] : [];
  }

  /** An imported transcript has no repository to re-run its tests in: the record says so. */
  function notRerun(goal: GoalSubmitted): WorkVerified['rerun'] {
    return { command: goal.testCommand, exitCode: null, output: 'imported run: there is no workspace to re-run the tests in', timedOut: false, isolation: 'skipped', durationMs: 0 };
  }

  async function rerunTests(goal: GoalSubmitted, files: RerunFiles): Promise<WorkVerified['rerun']> {
    return { command: goal.testCommand, ...(await runInSandbox(goal.testCommand, files)) };
  }

  async function judge(state: GradingState, activity: Extract<GradingActivity, { kind: 'judge' }>, runEvents: readonly LoopEvent[]): Promise<GradingEvent[]> {
    const { item, routed } = activity;
    const entry = entryOfDecision(state, routed.data.decisionId)!;
    const verified = entry.verified!;
    if (activity.tier === 'resident' && !activity.shadow) {
      const resident = routed.data.model ? await deps.resident(routed.data.model) : undefined;
      const prediction = resident?.predict(verified.data.features, verified.data.texts);
      if (prediction && prediction.confidence >= (routed.data.confidenceThreshold ?? 0.8)) {
        return [completedEvent(routed, item, {
          tier: 'resident', verdict: prediction.verdict, confidence: prediction.confidence, ruleId: routed.data.ruleId,
          evidence: `resident model ${routed.data.model} (confidence ${prediction.confidence.toFixed(3)})`, reasoning: '',
          costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0, shadow: false, simulated: false,
        })];
      }
    }
    const answered = await frontierVerdict(state, routed, entry.work, verified, item, stepsOf(runEvents, state.goal!, entry.work), activity.shadow);
    const escalated = activity.tier === 'resident' && !activity.shadow ? { escalatedFrom: 'resident' as const } : {};
    const completion: Completion = { ...answered.completion, ...escalated, shadow: activity.shadow };
    const events: GradingEvent[] = [completedEvent(routed, item, completion)];
    if (answered.review && !activity.shadow) events.push(unusableReview(routed, item, answered.review, answered.byBudget));
    return events;
  }

  /**
   * The frontier's verdict. An answer that breaks its schema twice, or contradicts the recorded
   * re-run twice, goes to a person, never into the grade as if valid.
   */
  async function frontierVerdict(
    state: GradingState,
    routed: EventOf<'decision.routed'>,
    work: EventOf<'work.produced'>,
    verified: EventOf<'work.verified'>,
    item: GradingItem,
    steps: readonly TraceStep[],
    shadow: boolean,
  ): Promise<{ completion: Completion; review?: string; byBudget?: boolean }> {
    const goal = state.goal!;
    // a spot-check's calls are held and charged apart from the primary answer's, as the router settles them
    const spendKey = spendKeyOf(routed.data.decisionId, shadow);
    const provider = deps.frontier(goal);
    const rubric = deps.rubrics.find((r) => r.id === item.rubricId)!;
    const files = await changedFiles(work, verified);
    // Behavior items are judged from the trace itself, condensed and bounded.
    const trace = rubric.surface === 'trace' ? renderTraceForJudge(steps, { maxChars: 6_000, testCommand: goal.testCommand }) : undefined;
    const simulated = goal.backend === 'sim';
    const calls: ModelCall[] = [];
    const spend = await deps.spend();
    let refusal = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      let answer: JudgeAnswer;
      if (!(await spend.hold(routed.aggregateId, spendKey, deps.judgeEstimateUsd, routed.occurredAt.slice(0, 10)))) {
        const why = `the budget cannot cover the judge's call ($${deps.judgeEstimateUsd.toFixed(4)})`;
        return { completion: { ...humanCompletion(`${why}; a person must decide`, refusal, simulated), ...costOf(calls) }, review: why, byBudget: true };
      }
      try {
        const note = refusal ? `\nYour previous answer was refused: ${refusal}. Read the recorded facts again.` : '';
        const result = await ask(provider, {
          purpose: item.key,
          system: judgeSystemPrompt(rubric, item),
          prompt: judgePrompt({ work, verified, files, trace }, boundary()) + note,
          maxTokens: 600,
          sim: simulated ? simJudgeContext(goal, work, verified, item) : undefined,
        }, item.kind);
        calls.push(result.call);
        await spend.charge(routed.aggregateId, spendKey, result.call.costUsd);
        answer = result.answer;
      } catch (error) {
        if (!(error instanceof UnusableAnswerError)) throw error;
        await spend.charge(routed.aggregateId, spendKey, error.spent.costUsd);
        return { completion: humanCompletion(`the frontier judge's answers were unusable twice; a person must decide`, error.message, simulated), review: error.message };
      }
      const found = contradictions(answer, verified);
      if (found.length === 0) {
        return {
          completion: {
            tier: 'frontier', verdict: answer.verdict, evidence: answer.evidence, reasoning: answer.reasoning, confidence: 1,
            ...costOf(calls), shadow: false, simulated: calls.some((c) => c.simulated),
          },
        };
      }
      refusal = found.join('; ');
    }
    return { completion: { ...humanCompletion('the frontier judge contradicted the recorded re-run twice; a person must decide', refusal, simulated), ...costOf(calls) }, review: `inconsistent with the record: ${refusal}` };
  }

  async function changedFiles(work: EventOf<'work.produced'>, verified: EventOf<'work.verified'>) {
    const changed = new Set([...verified.data.change.created, ...verified.data.change.modified]);
    const files = decodeSnapshot(await (await deps.artifacts()).get(work.data.artifactDigest));
    return files.filter((f) => changed.has(f.path));
  }

  return { verify, judge, gradeRun };
}

/** The steps of one task iteration, from the producer this run trusts for them, without those of abandoned attempts. */
function stepsOf(runEvents: readonly LoopEvent[], goal: GoalSubmitted, work: EventOf<'work.produced'>): TraceStep[] {
  const abandoned = abandonedAttempts(runEvents, work.data.taskId, work.data.iteration);
  return runEvents
    .filter((e): e is EventOf<'trace.step'> => e.type === 'trace.step' && trustedProducer(e, goal.backend === 'import') === true)
    .map((e) => e.data as TraceStep)
    .filter((s) => s.taskId === work.data.taskId && s.iteration === work.data.iteration && !abandoned.has(attemptOfStep(s)));
}

async function ask(provider: ModelProvider, request: Omit<Parameters<ModelProvider['answer']>[0], 'schema'>, kind: GradingItem['kind']): Promise<{ answer: JudgeAnswer; call: ModelCall }> {
  if (kind === 'gate') {
    const result = await provider.answer<z.infer<typeof GateAnswerSchema>>({ ...request, schema: GateAnswerSchema });
    const a = result.answer;
    return { answer: { verdict: a.passed ? 'pass' : 'fail', evidence: a.evidence, reasoning: '', rerunPassed: a.rerunPassed }, call: result };
  }
  const result = await provider.answer<z.infer<typeof DimensionAnswerSchema>>({ ...request, schema: DimensionAnswerSchema });
  const a = result.answer;
  return { answer: { verdict: String(a.score), evidence: a.evidence, reasoning: a.reasoning, rerunPassed: a.rerunPassed }, call: result };
}

function costOf(calls: readonly ModelCall[]) {
  return {
    costUsd: calls.reduce((sum, c) => sum + c.costUsd, 0),
    tokens: {
      input: calls.reduce((sum, c) => sum + c.usage.inputTokens + c.usage.cacheReadTokens, 0),
      output: calls.reduce((sum, c) => sum + c.usage.outputTokens, 0),
    },
    latencyMs: calls.reduce((sum, c) => sum + c.latencyMs, 0),
  };
}

function humanCompletion(evidence: string, reasoning: string, simulated: boolean): Completion {
  return {
    tier: 'human', verdict: 'unusable', confidence: 0, escalatedFrom: 'frontier', evidence, reasoning,
    costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0, shadow: false, simulated,
  };
}

function unusableReview(routed: EventOf<'decision.routed'>, item: GradingItem, why: string, byBudget = false): NewEvent<'review.requested'> {
  const reviewId = `rv-${deterministicId('unusable', item.decisionId).replace(/-/g, '').slice(0, 20)}`;
  return {
    type: 'review.requested',
    id: deterministicId('review.requested', reviewId),
    aggregateId: reviewId,
    producer: 'grader',
    correlationId: routed.correlationId,
    causationId: routed.id,
    data: {
      reviewId, runId: routed.aggregateId, decisionId: item.decisionId, reason: byBudget ? 'budget' : 'model-unusable',
      summary: byBudget ? `${item.key}: ${why}` : `${item.key}: the judge's answer was refused twice (${why.slice(0, 300)})`, items: [item.itemId],
    },
  };
}

/**
 * What the simulated judge is told: which work (by its identity and the route the log records for
 * it), which item, and the recorded re-run. The simulation derives the verdict from its own hidden
 * state for that work; it never sees the features.
 */
function simJudgeContext(goal: GoalSubmitted, work: EventOf<'work.produced'>, verified: EventOf<'work.verified'>, item: GradingItem): SimJudgeContext {
  const drafting = work.data.drafting;
  return {
    kind: 'judge',
    decisionId: item.decisionId,
    role: work.data.role,
    item: item.itemId,
    itemKind: item.kind,
    rerunPassed: rerunPassed(verified.data.rerun),
    work: {
      seed: goal.labels['simSeed'] ?? '0',
      goalId: goal.labels['simGoal'] ?? goal.goalId,
      taskId: work.data.taskId,
      iteration: work.data.iteration,
      route: drafting
        ? { drafter: drafting.drafter === 'resident' ? 'resident' : 'frontier', stream: drafting.stream, ...(drafting.edit ? { edit: drafting.edit } : {}) }
        : { drafter: 'frontier', stream: 'draft' },
    },
  };
}
