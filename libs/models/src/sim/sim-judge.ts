import { hiddenDraft, hiddenWork, patchedWork } from './hidden-work';
import { editorTruth, truthFor } from './judge-truth';
import { seededRandom } from './prng';
import type { SimEditorContext, SimJudgeContext } from './sim-context';
import { renderWork } from './sim-text';
import type { WorkloadSpec } from './workload';

export type JudgeParams = WorkloadSpec['judge'];

/** What the simulated frontier answers before noise: its verdict from the work's hidden state. */
export function trueVerdict(spec: WorkloadSpec, ctx: SimJudgeContext): string {
  const draw = seededRandom(ctx.work.seed, ctx.decisionId, 'ambiguity');
  return truthFor(ctx.role, ctx.item, ctx.itemKind).judge(hiddenWork(spec, ctx.work), draw).verdict;
}

/** With probability `garbageRate` per attempt, an answer no schema accepts. */
function garbageOf(ctx: { work: { seed: string }; decisionId: string }, judge: JudgeParams, attempt: number): string | undefined {
  const garbage = seededRandom(ctx.work.seed, ctx.decisionId, 'garbage', attempt);
  return garbage() < judge.garbageRate ? GARBAGE[Math.floor(garbage() * GARBAGE.length)] : undefined;
}

/** One draw per decision: a retry gives the same verdict. */
function noisy(ctx: { work: { seed: string }; decisionId: string }, judge: JudgeParams): boolean {
  return seededRandom(ctx.work.seed, ctx.decisionId, 'noise')() < judge.noise;
}

/**
 * The sim judge's raw text for one attempt. The verdict is the truth for the item, computed from
 * the work's hidden state (never from the features), swapped for the item's other verdict with
 * probability `noise`; the answer states the recorded re-run as it was.
 */
export function simJudgeText(spec: WorkloadSpec, ctx: SimJudgeContext, judge: JudgeParams, attempt: number): string {
  const garbage = garbageOf(ctx, judge, attempt);
  if (garbage) return garbage;
  const truth = truthFor(ctx.role, ctx.item, ctx.itemKind);
  const { verdict: clean, reason } = truth.judge(hiddenWork(spec, ctx.work), seededRandom(ctx.work.seed, ctx.decisionId, 'ambiguity'));
  const [good, bad] = truth.verdicts;
  const verdict = noisy(ctx, judge) ? (clean === good ? bad : good) : clean;
  const evidence = `${ctx.item}: ${verdict === clean ? reason : 'on balance, the other way'}`;
  if (ctx.itemKind === 'gate') return JSON.stringify({ passed: verdict === 'pass', evidence, rerunPassed: ctx.rerunPassed });
  return JSON.stringify({ score: Number(verdict), evidence, reasoning: `${verdict === good ? 'meets' : 'falls short of'} the bar for ${ctx.item}`, rerunPassed: ctx.rerunPassed });
}

/** The sim editor's raw text: its verdict on the draft, the notes, and for a patch the files and message that fix it. */
export function simEditorText(spec: WorkloadSpec, ctx: SimEditorContext, judge: JudgeParams, attempt: number): string {
  const garbage = garbageOf(ctx, judge, attempt);
  if (garbage) return garbage;
  const draft = hiddenDraft(spec, ctx.work, ctx.work.route.drafter, ctx.work.route.stream);
  const truth = editorTruth(draft, ctx.lintPassed);
  let verdict = truth.verdict;
  if (ctx.lintPassed && noisy(ctx, judge)) verdict = verdict === 'approve' ? 'patch' : 'approve';
  // The simulated patch rewrites an engineer's files and message; another role's draft is written again from the notes.
  if (verdict === 'patch' && ctx.role !== 'engineer') verdict = 'regenerate';
  if (verdict !== 'patch') return JSON.stringify({ verdict, notes: truth.notes });
  const { testCommand } = draft.goal;
  const fixed = renderWork(patchedWork(draft), testCommand);
  const before = renderWork(draft, testCommand);
  return JSON.stringify({
    verdict,
    notes: truth.notes,
    files: fixed.files,
    remove: before.extraFile ? [before.extraFile.path] : [],
    finalMessage: fixed.finalMessage,
  });
}

/** Answers no reasonable schema accepts: prose, cut-off JSON, the wrong shape. */
const GARBAGE = ['Looking at the work, I think it is mostly fine.', '{"passed": tr', '{"verdict": "unclear"}'];
