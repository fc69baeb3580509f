import { draftFeatures, extractClaims, FeatureVector, LintFinding, lintDraft, pathAllowed } from '@loopwright/checks';
import { createEvent, deterministicId, EventDataInput, executorKey, GoalSubmitted, spendKeyOf, WorkProduced } from '@loopwright/events';
import { workTexts } from '@loopwright/mining';
import { EditAnswer, EditAnswerSchema, ModelCall, SimEditorContext, UnusableAnswerError } from '@loopwright/models';
import { decodeSnapshotWithIrregular, encodeSnapshot } from '@loopwright/sandbox';
import type { AgentAssignment, EditAssignment } from '../domain/decide';
import { editDecisionId, lintDecisionId } from '../domain/run-state';
import {
  AgentDeps, Draft, draftSession, executorCompletion, tokensOf, totalOf, traceStepEvent, workProducedEvent,
} from './agent-session';
import { endByBudget } from './budget-stop';
import { editorPrompt, editorSystemPrompt } from './editor-prompts';

/** A resident editor: its verdict on a draft and whether it is confident enough to give it by itself. */
export interface ResidentEditor {
  predict(features: FeatureVector, texts: readonly string[]): { verdict: string; confidence: number; confident: boolean };
}

export interface DraftLintEditDeps extends AgentDeps {
  /** The resident editor the router named, by model id (a classifier distilled from the frontier's editorial verdicts). */
  residentEditor(modelId: string): Promise<ResidentEditor | undefined>;
  /** What the router reserves for one editorial pass. */
  editEstimateUsd: number;
}

/** A draft with what the lint found and what the editor reads of it. */
interface LintedDraft extends Draft {
  attempt: number;
  findings: LintFinding[];
  features: FeatureVector;
  texts: string[];
}

const notesOf = (findings: readonly { check: string; detail: string }[]) => findings.map((f) => ({ id: f.check, delta: f.detail, fixType: 'local' as const }));

async function changedFiles(deps: AgentDeps, goal: GoalSubmitted, digest: string): Promise<{ path: string; content: string }[]> {
  const seed = new Map(goal.seedFiles.map((f) => [f.path, f.content]));
  const { files } = decodeSnapshotWithIrregular(await deps.artifacts.get(digest));
  return files.filter((f) => seed.get(f.path) !== f.content);
}

/** Lints one attempt, recording the lint as a deterministic decision of its own. */
async function lint(goal: GoalSubmitted, assignment: AgentAssignment, deps: AgentDeps, draft: Draft, attempt: number): Promise<LintedDraft> {
  const work = { ...draft, files: draft.written, claims: extractClaims(draft.finalMessage), testCommand: goal.testCommand, allowedPaths: goal.allowedPaths, turnsUsed: draft.turns, maxTurns: goal.maxTurns, scratchPaths: goal.scratchPaths };
  const features = draftFeatures(draft.steps, work, attempt);
  const findings = lintDraft(features);
  const decisionId = lintDecisionId(assignment.taskId, assignment.iteration, attempt);
  const key = executorKey(assignment.role, 'lint');
  await requestDecision(assignment, deps, { decisionId, kind: 'lint', builtinCheck: 'draft_lint', estimatedUsd: 0, features });
  await deps.append(
    executorCompletion(assignment, {
      decisionId, key, tier: 'deterministic', verdict: findings.length === 0 ? 'pass' : 'fail', confidence: 1,
      evidence: findings.length === 0 ? 'the draft passes every automatic check' : findings.map((f) => `${f.check}: ${f.detail}`).join('; '),
      costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0, simulated: false,
    }),
  );
  const texts = workTexts(draft.finalMessage, await changedFiles(deps, goal, draft.digest));
  return { ...draft, attempt, findings, features, texts };
}

/**
 * A resident drafts; the lint throws out a draft with obvious failures, and the resident tries once
 * more with the lint's findings as notes. A first draft then goes to the editorial pass (its
 * decision is requested, and the router routes it); a revision goes to the grader as it is, or,
 * when the lint threw out both attempts, the frontier writes it.
 */
export async function runResidentDraft(goal: GoalSubmitted, assignment: AgentAssignment, deps: DraftLintEditDeps): Promise<void> {
  const first = await lint(goal, assignment, deps, await draftSession(goal, assignment, deps, { tier: 'resident', stream: 'draft', stepOffset: 0, notes: [] }), 1);
  if (first.endedBy === 'cost_limit') return stopByBudget(goal, assignment, deps, first.calls, 'resident');
  const kept =
    first.findings.length === 0
      ? first
      : await lint(goal, assignment, deps, await draftSession(goal, assignment, deps, { tier: 'resident', stream: 'redraft', stepOffset: first.nextStep, notes: notesOf(first.findings) }), 2);
  const residentCalls = kept === first ? first.calls : [...first.calls, ...kept.calls];
  const stream = kept === first ? 'draft' : 'redraft';
  if (kept.endedBy === 'cost_limit') return stopByBudget(goal, assignment, deps, residentCalls, 'resident');

  if (assignment.iteration === 1) {
    await completeDraft(goal, assignment, deps, residentCalls, kept.endedBy, 'resident');
    await requestEdit(assignment, deps, kept);
    return;
  }
  if (kept.findings.length === 0) {
    await completeDraft(goal, assignment, deps, residentCalls, kept.endedBy, 'resident');
    await deps.append(workProducedEvent(goal, assignment, kept, { drafter: 'resident', stream }));
    return;
  }
  const frontier = await draftSession(goal, assignment, deps, { tier: 'frontier', stream: 'regenerate', stepOffset: kept.nextStep, notes: notesOf(kept.findings) });
  if (frontier.endedBy === 'cost_limit') return stopByBudget(goal, assignment, deps, [...residentCalls, ...frontier.calls], 'frontier');
  await completeDraft(goal, assignment, deps, [...residentCalls, ...frontier.calls], frontier.endedBy, 'frontier');
  await deps.append(workProducedEvent(goal, assignment, frontier, { drafter: 'frontier', stream: 'regenerate' }));
}

/** The draft's decision completes with what its calls cost, and the run ends by budget. */
async function stopByBudget(goal: GoalSubmitted, assignment: AgentAssignment, deps: AgentDeps, calls: readonly ModelCall[], tier: 'frontier' | 'resident') {
  await completeDraft(goal, assignment, deps, calls, 'cost_limit', tier);
  await endByBudget(assignment, deps);
}

async function completeDraft(goal: GoalSubmitted, assignment: AgentAssignment, deps: AgentDeps, calls: readonly ModelCall[], verdict: Draft['endedBy'], tier: 'frontier' | 'resident') {
  const call = totalOf(calls, goal);
  await deps.append(
    executorCompletion(assignment, {
      decisionId: assignment.decisionId, key: assignment.key, tier, verdict, confidence: 1, costUsd: call.costUsd, tokens: tokensOf(call),
      latencyMs: call.latencyMs, simulated: call.simulated, ...(tier === 'frontier' ? { escalatedFrom: 'resident' as const } : {}),
    }),
  );
}

/** An executor decision about the iteration's draft (its lint, its editorial pass), its id derived from the decision. */
async function requestDecision(
  assignment: AgentAssignment,
  deps: AgentDeps,
  data: Omit<EventDataInput<'decision.requested'>, 'key' | 'requester' | 'role' | 'taskId'> & { kind: 'lint' | 'edit' },
): Promise<void> {
  await deps.append(
    createEvent({
      type: 'decision.requested',
      id: deterministicId('decision.requested', data.decisionId),
      aggregateId: assignment.runId,
      producer: 'executor',
      correlationId: assignment.runId,
      causationId: assignment.causationId,
      data: { ...data, key: executorKey(assignment.role, data.kind), requester: 'executor', role: assignment.role, taskId: assignment.taskId },
    }),
  );
}

async function requestEdit(assignment: AgentAssignment, deps: DraftLintEditDeps, draft: LintedDraft): Promise<void> {
  await requestDecision(assignment, deps, {
    decisionId: editDecisionId(assignment.taskId, assignment.iteration), kind: 'edit', estimatedUsd: deps.editEstimateUsd,
    features: draft.features, texts: draft.texts, artifactDigest: draft.digest,
  });
}

type EditOutcome = { verdict: EditAnswer['verdict'] | 'unusable' | 'budget'; answer?: EditAnswer; evidence: string; call: ModelCall };

/** The frontier editor's answer on the draft, or 'unusable' after its one retry. */
async function askEditor(goal: GoalSubmitted, edit: EditAssignment, deps: AgentDeps, findings: readonly LintFinding[], shadow = false): Promise<EditOutcome> {
  // a spot-check's call is held and charged apart from the primary answer's, as the router settles them
  const spendKey = spendKeyOf(edit.decisionId, shadow);
  const sim: SimEditorContext | undefined =
    goal.backend === 'sim'
      ? {
          kind: 'edit', decisionId: edit.decisionId, role: edit.role, lintPassed: findings.length === 0,
          work: {
            seed: goal.labels['simSeed'] ?? '0', goalId: goal.labels['simGoal'] ?? goal.goalId, taskId: edit.taskId, iteration: edit.iteration,
            route: { drafter: 'resident', stream: edit.draft.features['draft_attempts'] === 2 ? 'redraft' : 'draft' },
          },
        }
      : undefined;
  if (!(await deps.spend.hold(edit.runId, spendKey, deps.turnEstimateUsd, new Date().toISOString().slice(0, 10)))) {
    return { verdict: 'budget', evidence: 'the budget cannot cover the editor\'s model call', call: totalOf([], goal) };
  }
  try {
    const result = await deps.provider(goal, 'frontier').answer({
      purpose: edit.key, system: editorSystemPrompt(edit.role), prompt: editorPrompt(goal, edit.draft.texts, findings), schema: EditAnswerSchema, maxTokens: 4_000, sim,
    });
    await deps.spend.charge(edit.runId, spendKey, result.costUsd);
    return { verdict: result.answer.verdict, answer: result.answer, evidence: result.answer.notes.join('; ') || result.answer.verdict, call: result };
  } catch (error) {
    if (!(error instanceof UnusableAnswerError)) throw error;
    await deps.spend.charge(edit.runId, spendKey, error.spent.costUsd);
    return { verdict: 'unusable', evidence: `the editor's answers were unusable twice: ${error.message}`, call: { ...error.spent } };
  }
}

/**
 * The editorial pass: one, budgeted. A resident editor may approve by itself when it is confident
 * and the lint found nothing; everything else is the frontier's. Approve ships the draft; patch
 * writes the editor's files (inside the allowed paths) and message over it; regenerate has the
 * frontier write the work from the notes. A draft the lint threw out is never shipped.
 */
export async function runEditorialPass(goal: GoalSubmitted, edit: EditAssignment, deps: DraftLintEditDeps): Promise<void> {
  const findings = lintDraft(edit.draft.features);
  const stream = edit.draft.features['draft_attempts'] === 2 ? 'redraft' : 'draft';
  const resident = edit.tier === 'resident' && edit.model ? await deps.residentEditor(edit.model) : undefined;
  const prediction = resident?.predict(edit.draft.features, edit.draft.texts);
  const residentApproves = findings.length === 0 && prediction?.verdict === 'approve' && prediction.confident;
  const draftWork = await draftAsWork(goal, edit, deps);
  const agent: AgentAssignment = {
    runId: edit.runId, taskId: edit.taskId, role: edit.role, iteration: edit.iteration, decisionId: edit.decisionId, key: edit.key, tier: 'frontier', feedback: [], causationId: edit.causationId,
    previousArtifact: edit.previousArtifact, startedFrom: edit.startedFrom, allowedPaths: edit.allowedPaths, maxTurns: edit.maxTurns, inputs: edit.inputs,
  };

  if (residentApproves) {
    await deps.append(
      executorCompletion(edit, {
        decisionId: edit.decisionId, key: edit.key, tier: 'resident', verdict: 'approve', confidence: prediction!.confidence, ruleId: edit.ruleId,
        evidence: `resident editor ${edit.model} approves (confidence ${prediction!.confidence.toFixed(3)})`, costUsd: 0, tokens: { input: 0, output: 0 }, latencyMs: 0, simulated: false,
      }),
    );
    if (edit.shadow) {
      const shadow = await askEditor(goal, edit, deps, findings, true);
      await deps.append(executorCompletion(edit, { ...completionOf(edit, shadow, goal), shadow: true }));
    }
    await deps.append(workProducedEvent(goal, agent, draftWork, { drafter: 'resident', stream, edit: 'approve' }));
    return;
  }

  const escalated = edit.tier === 'resident' ? { escalatedFrom: 'resident' as const } : {};
  const outcome: EditOutcome =
    findings.length > 0
      ? { verdict: 'regenerate', evidence: `the lint threw the draft out: ${findings.map((f) => f.detail).join('; ')}`, call: { ...totalOf([], goal) } }
      : await askEditor(goal, edit, deps, findings);
  let produced: { work: Parameters<typeof workProducedEvent>[2]; drafting: NonNullable<WorkProduced['drafting']> };
  let calls: ModelCall[] = [outcome.call];
  const endedByBudget = async () => {
    await deps.append(executorCompletion(edit, { ...completionOf(edit, { ...outcome, verdict: 'budget', call: totalOf(calls, goal) }, goal), ...escalated }));
    await endByBudget(agent, deps);
  };
  if (outcome.verdict === 'budget') return endedByBudget();
  if (outcome.verdict === 'approve' || (outcome.verdict === 'unusable' && findings.length === 0)) {
    produced = { work: draftWork, drafting: { drafter: 'resident', stream, edit: 'approve' } };
  } else if (outcome.verdict === 'patch' && outcome.answer) {
    produced = { work: await applyPatch(goal, edit, deps, draftWork, outcome.answer), drafting: { drafter: 'resident', stream, edit: 'patch' } };
  } else {
    const notes = (outcome.answer?.notes ?? findings.map((f) => f.detail)).map((delta, i) => ({ id: `edit-${i + 1}`, delta, fixType: 'local' as const }));
    const rewritten = await draftSession(goal, agent, deps, { tier: 'frontier', stream: 'regenerate', stepOffset: edit.stepOffset, notes });
    calls = [...calls, ...rewritten.calls];
    if (rewritten.endedBy === 'cost_limit') return endedByBudget();
    produced = { work: rewritten, drafting: { drafter: 'frontier', stream: 'regenerate', edit: 'regenerate' } };
  }
  await deps.append(executorCompletion(edit, { ...completionOf(edit, { ...outcome, call: totalOf(calls, goal) }, goal), ...escalated }));
  await deps.append(workProducedEvent(goal, agent, produced.work, produced.drafting));
}

function completionOf(edit: EditAssignment, outcome: EditOutcome, goal: GoalSubmitted) {
  return {
    decisionId: edit.decisionId, key: edit.key, tier: 'frontier' as const, verdict: outcome.verdict, confidence: outcome.verdict === 'unusable' ? 0 : 1,
    evidence: outcome.evidence.slice(0, 2_000), costUsd: outcome.call.costUsd, tokens: tokensOf(outcome.call), latencyMs: outcome.call.latencyMs,
    simulated: outcome.call.simulated || goal.backend === 'sim',
  };
}

/** The draft as the request recorded it: its snapshot, its message and how its session ended. */
async function draftAsWork(goal: GoalSubmitted, edit: EditAssignment, deps: AgentDeps) {
  const changed = await changedFiles(deps, goal, edit.draft.artifactDigest);
  const endedBy = edit.draft.features['ended_by'];
  return {
    digest: edit.draft.artifactDigest,
    written: changed.map((f) => f.path).filter((p) => pathAllowed(p, goal.allowedPaths)),
    finalMessage: edit.draft.texts[0] ?? '',
    endedBy: endedBy === 'finished' || endedBy === 'turn_limit' || endedBy === 'error' ? endedBy : 'finished',
    turns: Number(edit.draft.features['turns_used'] ?? 0),
  } as const;
}

/** The editor's files written over the draft, and its removals made, inside the allowed paths only; each recorded as a step. */
async function applyPatch(goal: GoalSubmitted, edit: EditAssignment, deps: AgentDeps, draft: Awaited<ReturnType<typeof draftAsWork>>, answer: EditAnswer) {
  const { files, irregular } = decodeSnapshotWithIrregular(await deps.artifacts.get(draft.digest));
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const written = new Set(draft.written);
  let step = edit.stepOffset;
  const record = async (path: string, output: string, refused?: string) =>
    deps.append(
      traceStepEvent(edit, {
        taskId: edit.taskId, iteration: edit.iteration, step: step++, kind: 'edit', tool: 'write_file', input: path, path, editedBy: 'tool',
        output, durationMs: 0, speaker: 'editor', ...(refused ? { refused } : {}),
      }),
    );
  for (const file of answer.files) {
    if (!pathAllowed(file.path, goal.allowedPaths)) {
      await record(file.path, '', `${file.path} is outside the allowed paths`);
      continue;
    }
    byPath.set(file.path, file.content);
    written.add(file.path);
    await record(file.path, 'written by the editor');
  }
  for (const path of answer.remove) {
    if (!pathAllowed(path, goal.allowedPaths) || !byPath.has(path)) continue;
    byPath.delete(path);
    written.delete(path);
    await record(path, 'removed by the editor');
  }
  const digest = await deps.artifacts.put(encodeSnapshot([...byPath].map(([path, content]) => ({ path, content })), irregular));
  return { ...draft, digest, written: [...written].sort(), finalMessage: answer.finalMessage ?? draft.finalMessage };
}
