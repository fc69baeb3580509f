import { z } from 'zod';

/**
 * Artifacts code synthesizes from evidence the grader recorded itself, carried on `work.verified`:
 * the release gate (from the tester's probe plan and the probes the grader ran) and the deployment
 * report (from the deployer's trace and that gate). No worker and no model writes them.
 */

export const ProbeEvidenceRecord = z.object({
  probeId: z.string(),
  status: z.enum(['executed_pass', 'executed_fail', 'not_executed']),
  exitCode: z.number().int().nullable(),
  detail: z.string().max(2_000),
});

export const ReleaseGateRecord = z.object({
  decision: z.enum(['pass', 'fail']),
  tiers: z.array(z.object({ tier: z.enum(['smoke', 'api', 'e2e']), status: z.enum(['passed', 'failed', 'skipped', 'not_required']), runRef: z.string() })),
  criticalAreas: z.array(z.object({ area: z.string(), status: z.enum(['verified', 'missing', 'not_applicable']), evidence: z.string() })),
  blockers: z.array(z.string()),
  cosmeticIssues: z.array(z.string()),
  summary: z.string(),
});

const DeployStepRecord = z.object({ step: z.number().int().min(0), command: z.string(), exitCode: z.number().int().nullable().optional(), ok: z.boolean() });

export const DeploymentReportRecord = z.object({
  environment: z.string(),
  revision: z.string(),
  releaseGate: z.object({ decision: z.enum(['pass', 'fail', 'none']), blockers: z.number().int().min(0), readBeforeDeploy: z.boolean() }),
  deploys: z.array(DeployStepRecord.extend({ tool: z.string() })),
  dryRuns: z.array(DeployStepRecord.extend({ tool: z.string() })),
  verification: z.array(DeployStepRecord),
  result: z.enum(['success', 'failure', 'not-deployed']),
  issues: z.array(z.object({ description: z.string(), impact: z.string(), action: z.enum(['rollback', 'investigate', 'fix-upstream']) })),
  nextAction: z.enum(['proceed', 'rollback', 'investigate', 'fix-upstream']),
  rollback: z.object({ priorRevision: z.string().nullable(), steps: z.string() }),
});

export type ProbeEvidenceRecord = z.infer<typeof ProbeEvidenceRecord>;
export type ReleaseGateRecord = z.infer<typeof ReleaseGateRecord>;
export type DeploymentReportRecord = z.infer<typeof DeploymentReportRecord>;
