import { foldEvents } from '@loopwright/core';
import type { LoopEvent } from '@loopwright/events';
import type { Rubric } from '@loopwright/rubrics';
import { checksFromRecord } from './decide-grading';
import { assembleGrade } from './grading-plan';
import { evolveGrading, initialGradingState, pipelineOfRun } from './grading-state';

/** One recorded grade, derived again from the log: its checks from the recorded features, then the score. */
export interface RederivedGrade {
  workId: string;
  recorded: { passed: boolean; overall: number };
  rederived: { passed: boolean; overall: number } | { missing: string[] };
  /** Checked items whose recorded verdict differs from the check run again on the recorded features. */
  checkMismatches: { key: string; recorded: string; rederived: string }[];
  match: boolean;
}

/**
 * Re-derives every grade of a run from its events alone: the built-in checks are run again on the
 * features recorded in work.verified, the model verdicts are taken as recorded, and the rubrics
 * score them again. Nothing is re-run and no model is asked.
 */
export function rederiveGrades(rubrics: readonly Rubric[], events: readonly LoopEvent[]): RederivedGrade[] {
  const state = foldEvents({ initialState: initialGradingState, evolve: (s, e: LoopEvent) => evolveGrading(rubrics, s, e) }, events);
  const grades = events.filter((e) => e.type === 'grade.recorded' && e.producer === 'grader');
  return grades.flatMap((grade): RederivedGrade[] => {
    if (grade.type !== 'grade.recorded') return [];
    const entry = state.works.get(grade.data.workId);
    const recorded = { passed: grade.data.passed, overall: grade.data.overall };
    if (!entry?.verified) return [{ workId: grade.data.workId, recorded, rederived: { missing: ['work.verified'] }, checkMismatches: [], match: false }];
    // A grade recorded under other rubric versions cannot be derived again by these: say so, do not guess.
    const versions = new Map(rubrics.map((r) => [r.id, r.version]));
    const foreign = grade.data.rubrics.filter((r) => versions.get(r.rubricId) !== r.rubricVersion).map((r) => `${r.rubricId}@${r.rubricVersion}`);
    if (foreign.length > 0) {
      return [{ workId: grade.data.workId, recorded, rederived: { missing: foreign.map((id) => `rubric ${id}, which is not loaded`) }, checkMismatches: [], match: false }];
    }
    const completions = checksFromRecord(entry.items, entry.completions, entry.verified.data.features);
    const checkMismatches = entry.items.flatMap((item) => {
      const recorded = entry.completions.get(item.decisionId)?.verdict;
      const rederived = completions.get(item.decisionId)?.verdict;
      return item.check && recorded !== undefined && rederived !== recorded ? [{ key: item.key, recorded, rederived: rederived! }] : [];
    });
    // Each rubric counts as it counted then: a behavior rubric's mode is what its calibration made it at the time.
    const modes = new Map(grade.data.rubrics.map((r) => [r.rubricId, r.mode ?? 'gating']));
    const context = { modeOf: (r: Rubric) => modes.get(r.id) ?? r.activation, pipeline: pipelineOfRun(state, entry.work.data.role) };
    const outcome = assembleGrade(entry.work, rubrics, entry.items, completions, entry.verified.data, context);
    if (outcome.kind === 'incomplete') {
      return [{ workId: grade.data.workId, recorded, rederived: { missing: outcome.missing }, checkMismatches, match: false }];
    }
    const rederived = { passed: outcome.event.data.passed, overall: outcome.event.data.overall };
    const match = checkMismatches.length === 0 && rederived.passed === recorded.passed && Math.abs(rederived.overall - recorded.overall) < 1e-9;
    return [{ workId: grade.data.workId, recorded, rederived, checkMismatches, match }];
  });
}
