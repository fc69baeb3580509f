import type { Rubric } from '@loopwright/rubrics';

/** A calibration as the log records it or the projection keeps it. */
export interface CalibrationLine {
  rubricId: string;
  rubricVersion: number;
  runs: number;
  passedMean: number | null;
  failedMean: number | null;
  separation: number | null;
  gating: boolean;
  reason: string;
}

const mean = (n: number | null) => (n === null ? '  -  ' : n.toFixed(3));

/**
 * One line per behavior rubric: whether it gates now, and the calibration that decided it. A
 * rubric with no calibration for its current version is advisory.
 */
export function describeCalibrations(rubrics: readonly Rubric[], calibrations: readonly CalibrationLine[]): string[] {
  const behavior = rubrics.filter((r) => r.activation === 'advisory');
  if (behavior.length === 0) return [];
  const lines = ['behavior rubrics (advisory until a calibration over 10 runs shows a separation of at least 0.15):'];
  for (const rubric of behavior) {
    const latest = calibrations.find((c) => c.rubricId === rubric.id && c.rubricVersion === rubric.version);
    const name = `${rubric.id} v${rubric.version}`.padEnd(28);
    if (!latest) {
      lines.push(`  ${name} advisory  no calibration yet`);
      continue;
    }
    const figures = `passing ${mean(latest.passedMean)}, failing ${mean(latest.failedMean)}, separation ${mean(latest.separation)}`;
    lines.push(`  ${name} ${(latest.gating ? 'gating' : 'advisory').padEnd(9)} over ${latest.runs} run(s): ${figures} (${latest.reason})`);
  }
  return lines;
}
