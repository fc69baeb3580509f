import type { TraceStep, WorkProduced } from '@loopwright/events';
import type { WorkspaceText } from './artifacts/artifact-files';
import type { ProbeEvidence, ReleaseGate } from './artifacts/release-gate';
import { DeliveredChange, deliveredFeatures } from './delivered-change';
import { computeOutputFeatures, Rerun, rerunPassed } from './output-features';
import { computeRoleFeatures, RoleContext, RoleFeatureResult } from './role-features';
import { computeTraceFeatures, TraceWork } from './trace-features';

/** Everything the grader recorded about a piece of work that its features are computed from. */
export interface WorkFeatureInput {
  context: RoleContext;
  steps: readonly TraceStep[];
  /** The work with the goal's test command, allowed paths and scratch area in place of the worker's account. */
  work: TraceWork & Pick<WorkProduced, 'files' | 'finalMessage'>;
  change: DeliveredChange;
  delivered: readonly WorkspaceText[];
  base: readonly WorkspaceText[];
  baseRevision: string;
  /** The grader's re-run of the goal's tests; null when there is no workspace to re-run in (an imported run). */
  rerun: Rerun | null;
  probes: readonly ProbeEvidence[];
  upstreamGate: ReleaseGate | null;
  priorRevision: string | null;
}

/**
 * One place computes a work's features from the record, for the grader and for the golden sets
 * alike: the trace, output, delivered-change and role features, and the artifacts code synthesizes.
 */
export function computeWorkFeatures(input: WorkFeatureInput): RoleFeatureResult {
  const { context, work, change, rerun } = input;
  const suite = rerun === null ? null : { command: context.goal.testCommand, passed: rerunPassed(rerun), detail: rerunPassed(rerun) ? '' : `exit ${rerun.exitCode ?? 'none'}` };
  const role = computeRoleFeatures(context, {
    steps: input.steps, work, change, delivered: input.delivered, base: input.base, baseRevision: input.baseRevision,
    suite, probes: input.probes, upstreamGate: input.upstreamGate, priorRevision: input.priorRevision,
  });
  return {
    ...role,
    features: {
      ...computeTraceFeatures(input.steps, work),
      ...computeOutputFeatures(work, rerun),
      ...deliveredFeatures(change),
      files_changed: change.created.length + change.modified.length + change.deleted.length,
      ...role.features,
    },
  };
}
