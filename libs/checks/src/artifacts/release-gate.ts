import type { ProbeEvidenceRecord, ReleaseGateRecord } from '@loopwright/events';
import type { ProbePlan, ProbeTier } from './probe-plan';
import { TIERS_IN_ORDER } from './probe-plan';

/** What the grader saw when it ran one probe (or why it did not run it). */
export type ProbeEvidence = ProbeEvidenceRecord;

/** The grader's own re-run of the goal's test command: the suite the smoke tier always includes. */
export interface SuiteEvidence {
  command: string;
  passed: boolean;
  detail: string;
}

export type TierStatus = ReleaseGateRecord['tiers'][number]['status'];

/**
 * The release gate: a ship decision synthesized by code from executed evidence and the tester's
 * probe plan. No model writes it; it fails closed on any unproven critical area.
 */
export type ReleaseGate = ReleaseGateRecord;

/**
 * The order the grader runs probes in: tier by tier, smoke first; a tier runs only when every
 * earlier tier passed, so a later tier never stands on an earlier failure.
 */
export function probesByTier(plan: ProbePlan): { tier: ProbeTier; probeIds: string[] }[] {
  return TIERS_IN_ORDER.map((tier) => ({ tier, probeIds: plan.probes.filter((p) => p.tier === tier).map((p) => p.id) })).filter((t) => t.probeIds.length > 0);
}

/** Synthesizes the gate. A missing probe plan is a blocker: there is no plan of proof. */
export function synthesizeReleaseGate(plan: ProbePlan | null, probes: readonly ProbeEvidence[], suite: SuiteEvidence | null): ReleaseGate {
  const byId = new Map(probes.map((p) => [p.probeId, p]));
  const evidenceOf = (id: string): ProbeEvidence => byId.get(id) ?? { probeId: id, status: 'not_executed', exitCode: null, detail: 'no evidence recorded' };
  const planned = plan?.probes ?? [];

  const tiers = TIERS_IN_ORDER.map((tier) => {
    const items = planned.filter((p) => p.tier === tier).map((p) => evidenceOf(p.id).status);
    if (tier === 'smoke' && suite) items.push(suite.passed ? 'executed_pass' : 'executed_fail');
    const refs = planned.filter((p) => p.tier === tier).map((p) => p.id);
    const runRef = [...(tier === 'smoke' && suite ? [suite.command] : []), ...refs].join(', ');
    const status: TierStatus =
      items.length === 0 ? 'not_required'
        : items.includes('executed_fail') ? 'failed'
          : items.includes('not_executed') ? 'skipped'
            : 'passed';
    return { tier, status, runRef };
  });

  const unprobeable = new Map((plan?.unprobeable ?? []).map((u) => [u.area, u.reason]));
  const areas = [...new Set([...planned.map((p) => p.criticalArea), ...unprobeable.keys()])];
  const criticalAreas = areas.map((area) => {
    if (unprobeable.has(area)) return { area, status: 'not_applicable' as const, evidence: unprobeable.get(area)! };
    const ev = planned.filter((p) => p.criticalArea === area).map((p) => evidenceOf(p.id));
    const failed = ev.filter((e) => e.status === 'executed_fail').map((e) => e.probeId);
    if (failed.length > 0) return { area, status: 'missing' as const, evidence: `probe(s) failed: ${failed.join(', ')}` };
    const notRun = ev.filter((e) => e.status === 'not_executed').map((e) => e.probeId);
    if (notRun.length > 0) return { area, status: 'missing' as const, evidence: `probe(s) not executed: ${notRun.join(', ')}` };
    return { area, status: 'verified' as const, evidence: ev.map((e) => e.probeId).join(', ') };
  });

  const blockers = [
    ...(plan ? [] : ['no valid probe plan: nothing says what the release must prove']),
    ...(suite && !suite.passed ? [`the goal's tests failed: ${suite.command}${suite.detail ? ` (${suite.detail})` : ''}`] : []),
    ...criticalAreas.filter((a) => a.status === 'missing').map((a) => `critical area "${a.area}": ${a.evidence}`),
  ];
  const decision = blockers.length === 0 ? 'pass' : 'fail';
  const verified = criticalAreas.filter((a) => a.status === 'verified').length;
  const missing = criticalAreas.filter((a) => a.status === 'missing').length;
  const evidenceCount = planned.length + (suite ? 1 : 0);
  return {
    decision,
    tiers,
    criticalAreas,
    blockers,
    cosmeticIssues: [],
    summary: `${decision.toUpperCase()}: synthesized from ${evidenceCount} evidence item(s): ${verified} area(s) verified, ${missing} missing, ${blockers.length} blocker(s).`,
  };
}

/**
 * Where a gate's tiers break their order: a tier that ran (passed or failed) after an earlier tier
 * that did not pass. A synthesized gate never does; a gate from anywhere else is checked the same way.
 */
export function tierOrderProblems(gate: Pick<ReleaseGate, 'tiers'>): string[] {
  const problems: string[] = [];
  let earlierPassed = true;
  for (const { tier, status } of gate.tiers) {
    if ((status === 'passed' || status === 'failed') && !earlierPassed) problems.push(`tier ${tier} ran although an earlier tier did not pass`);
    if (status === 'failed' || status === 'skipped') earlierPassed = false;
  }
  return problems;
}
