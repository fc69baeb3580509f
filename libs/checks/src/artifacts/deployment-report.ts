import type { DeploymentReportRecord, TraceStep } from '@loopwright/events';
import { GoalCommands, parseDeployInvocation, verifiesLive } from '../command-kinds';
import { readTestRun } from '../test-run';
import { commandFailed, parseTestInvocation } from '../test-runner';
import type { ReleaseGate } from './release-gate';

/** One deploy or live check the deployer ran, as its trace recorded it. */
export type DeployStep = DeploymentReportRecord['verification'][number];

/**
 * The deployment report: what shipped, how it was verified and how to undo it, synthesized by code
 * from the deployer's recorded steps and the grader's own release gate. The deployer does not
 * author it; what the deployer says is judged against it.
 */
export type DeploymentReport = DeploymentReportRecord;

export interface DeploymentInput {
  steps: readonly TraceStep[];
  releaseGate: ReleaseGate | null;
  /** Whether a read of the release gate came before the first deploy (from the trace features). */
  gateReadBeforeDeploy: boolean;
  revision: string;
  environment: string;
  priorRevision: string | null;
  goal: GoalCommands;
}

function succeeded(step: TraceStep): boolean {
  if (!parseTestInvocation(step.input)) return !commandFailed(step.input, step.output, step.exitCode) && step.exitCode !== undefined;
  return readTestRun(step.input, step.output, step.exitCode)?.outcome === 'passed';
}

export function synthesizeDeploymentReport(input: DeploymentInput): DeploymentReport {
  const ran = input.steps.filter((s) => s.kind === 'command' && !s.refused);
  const view = (s: TraceStep): DeployStep => ({ step: s.step, command: s.input.trim().slice(0, 300), exitCode: s.exitCode, ok: succeeded(s) });
  const deploys: DeploymentReport['deploys'] = [];
  const dryRuns: DeploymentReport['dryRuns'] = [];
  for (const s of ran) {
    const deploy = parseDeployInvocation(s.input, input.goal);
    if (deploy) (deploy.dryRun ? dryRuns : deploys).push({ ...view(s), tool: deploy.tool });
  }
  const last = deploys.at(-1);
  const verification = last ? ran.filter((s) => s.step > last.step && !parseDeployInvocation(s.input, input.goal) && verifiesLive(s.input, input.goal)).map(view) : [];
  const gate = input.releaseGate;
  const gateClean = gate?.decision === 'pass' && gate.blockers.length === 0;

  const result: DeploymentReport['result'] = !last?.ok ? (last ? 'failure' : 'not-deployed') : verification.length > 0 && verification.every((v) => v.ok) ? 'success' : 'failure';
  const issues: DeploymentReport['issues'] = [
    ...(deploys.length > 0 && !gateClean ? [{ description: `deployed although the release gate is ${gate ? gate.decision.toUpperCase() : 'absent'}`, impact: 'unproven behavior is live', action: 'rollback' as const }] : []),
    ...(last && !last.ok ? [{ description: `the deploy at step ${last.step} failed (exit ${last.exitCode ?? 'none'})`, impact: 'the target may be half-updated', action: 'investigate' as const }] : []),
    ...(last?.ok && verification.length === 0 ? [{ description: 'nothing checked the target after the last deploy', impact: 'the deployed behavior is unverified', action: 'investigate' as const }] : []),
    ...verification.filter((v) => !v.ok).map((v) => ({ description: `live check failed at step ${v.step}: ${v.command}`, impact: 'deployed behavior differs from what was proven', action: 'rollback' as const })),
    ...(deploys.length === 0 && !gateClean ? [{ description: `not deployed: the release gate is ${gate ? gate.decision.toUpperCase() : 'absent'}`, impact: 'nothing shipped', action: 'fix-upstream' as const }] : []),
  ];
  const nextAction: DeploymentReport['nextAction'] =
    result === 'success' && issues.length === 0 ? 'proceed' : issues.some((i) => i.action === 'rollback') ? 'rollback' : deploys.length === 0 && !gateClean ? 'fix-upstream' : 'investigate';
  return {
    environment: input.environment,
    revision: input.revision,
    releaseGate: { decision: gate?.decision ?? 'none', blockers: gate?.blockers.length ?? 0, readBeforeDeploy: input.gateReadBeforeDeploy },
    deploys,
    dryRuns,
    verification,
    result,
    issues,
    nextAction,
    rollback: input.priorRevision
      ? { priorRevision: input.priorRevision, steps: `redeploy revision ${input.priorRevision}` }
      : { priorRevision: null, steps: 'no earlier deployed revision is recorded in this run: a rollback has nothing to return to' },
  };
}
