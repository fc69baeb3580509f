import { z } from 'zod';
import { Text } from './artifact-files';

export const FindingSchema = z.object({
  severity: z.enum(['high', 'medium', 'low']),
  /** The checklist or critical area it belongs to: trust, state, security, error handling, … */
  area: Text,
  /** Where: a file (and line), a task id, a section. */
  location: Text,
  evidence: Text,
  why: Text,
  remediation: Text,
});

/** What an architect hands on (`.loopwright/review-report.json`): a verdict that follows from located findings. */
export const ReviewReportSchema = z.object({
  /** What was reviewed: the task plan, a design, an implementation. */
  subject: Text,
  verdict: z.enum(['approved', 'approved-with-conditions', 'blocked']),
  findings: z.array(FindingSchema).default([]),
  conditions: z.array(Text).default([]),
  residualRisks: z.array(z.object({ risk: Text, becomesBlockerWhen: Text })).default([]),
  checklist: z.array(z.object({ area: Text, status: z.enum(['examined', 'not-applicable']), note: Text.optional() })).default([]),
  nextStep: Text,
});

export type Finding = z.output<typeof FindingSchema>;
export type ReviewReport = z.output<typeof ReviewReportSchema>;

/**
 * Where the verdict does not follow from the findings' severities: approving over a high finding,
 * or blocking with nothing high to block on. Structured fields only, never the prose.
 */
export function verdictProblems(report: ReviewReport): string[] {
  const high = report.findings.filter((f) => f.severity === 'high');
  if (report.verdict !== 'blocked' && high.length > 0) {
    return [`verdict "${report.verdict}" over ${high.length} high finding(s): ${high.map((f) => f.location).join(', ')}`];
  }
  if (report.verdict === 'blocked' && high.length === 0) return ['verdict "blocked" with no high finding to block on'];
  return [];
}

/** The paths a report's findings point at (`src/a.js:18` → `src/a.js`): what it tells the next role to change. */
export function findingPaths(report: ReviewReport): string[] {
  return [...new Set(report.findings.map((f) => f.location.split(/[:\s#]/)[0]).filter((p) => p.includes('/') || p.includes('.')))];
}
