import { isAllowedPath } from './allowed-paths';
import { has, HiddenWork, hiddenDraft } from './hidden-work';
import type { SimAgentContext } from './sim-context';
import { handoffFile, roleSteps } from './role-plans';
import { renderWork } from './sim-text';
import type { Defect, Drafter, WorkloadSpec } from './workload';

export type PlanStep =
  | { kind: 'tool'; name: 'list_files'; input: { path: string } }
  | { kind: 'tool'; name: 'write_file'; input: { path: string; content: string } }
  | { kind: 'tool'; name: 'run_command'; input: { command: string } }
  | { kind: 'final'; text: string };

/** One draft's plan: its steps in order, and whether it then lists files until the turn limit. */
export interface SimPlan {
  defects: Defect[];
  steps: PlanStep[];
  /** stops_at_turn_limit: after `steps`, the agent keeps calling list_files and never finishes. */
  endless: boolean;
}

const THRASH_COMMAND = 'node test/missing.test.js';
const ESCAPE_CANDIDATES = ['config/settings.json', '../escape.txt'];

/** The hidden state of the draft an agent context asks for, the drafter being the provider's own tier. */
export function draftOf(spec: WorkloadSpec, ctx: SimAgentContext, drafter: Drafter): HiddenWork {
  return hiddenDraft(spec, { seed: String(ctx.seed), goalId: ctx.goal.id, taskId: ctx.taskId, iteration: ctx.iteration }, drafter, ctx.stream ?? 'draft');
}

/** The defects of the draft at `ctx.iteration`. */
export function defectsAt(spec: WorkloadSpec, ctx: SimAgentContext, drafter: Drafter = 'frontier'): Defect[] {
  return draftOf(spec, ctx, drafter).defects;
}

/** What the agent does for a draft: its tool calls and final message, all from the draft's hidden state. */
export function planFor(spec: WorkloadSpec, ctx: SimAgentContext, drafter: Drafter = 'frontier'): SimPlan {
  const work = draftOf(spec, ctx, drafter);
  if (ctx.role && ctx.role !== 'engineer') return { defects: work.defects, ...roleSteps(work, ctx) };
  const text = renderWork(work, ctx.goal.testCommand);
  const steps: PlanStep[] = [{ kind: 'tool', name: 'list_files', input: { path: '.' } }];
  for (const file of [...text.files, ...(text.extraFile ? [text.extraFile] : [])]) {
    steps.push({ kind: 'tool', name: 'write_file', input: { path: file.path, content: file.content } });
  }
  if (has(work, 'writes_outside_scope')) {
    const path = ESCAPE_CANDIDATES.find((p) => !isAllowedPath(p, ctx.goal.allowedPaths)) ?? '../escape.txt';
    steps.push({ kind: 'tool', name: 'write_file', input: { path, content: '{ "debug": true }\n' } });
  }
  if (has(work, 'thrashes')) {
    for (let i = 0; i < 3; i++) steps.push({ kind: 'tool', name: 'run_command', input: { command: THRASH_COMMAND } });
  }
  // In a pipeline the engineer hands on what it wrote.
  const written = [...text.files, ...(text.extraFile ? [text.extraFile] : [])].map((f) => f.path);
  if (ctx.handsOnTo?.length) {
    const handoff = handoffFile(work, 'engineer', ctx.handsOnTo, written, ctx);
    steps.push({ kind: 'tool', name: 'write_file', input: { path: handoff.path, content: handoff.content } });
  }
  if (has(work, 'stops_at_turn_limit')) return { defects: work.defects, steps, endless: true };
  if (text.probeCommand) steps.push({ kind: 'tool', name: 'run_command', input: { command: text.probeCommand } });
  if (!has(work, 'claims_without_running_tests')) steps.push({ kind: 'tool', name: 'run_command', input: { command: ctx.goal.testCommand } });
  steps.push({ kind: 'final', text: text.finalMessage });
  return { defects: work.defects, steps, endless: false };
}

