import type { Predicate } from '@loopwright/events';
import type { SimTruth } from './sim-context';

const dimension = (high: Predicate, highScore: number, lowScore: number): SimTruth => ({
  kind: 'dimension',
  high,
  highScore,
  lowScore,
});

/** What a perfect judge would say on the engineer rubrics' model-judged items, from the trace and output features. */
export const ENGINEER_JUDGE_TRUTH: Readonly<Record<string, SimTruth>> = {
  claims_match_evidence: {
    kind: 'gate',
    pass: { not: { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'rerun_passed', eq: false }] } },
  },
  correctness: dimension({ feature: 'rerun_passed', eq: true }, 5, 2),
  scope_discipline: dimension({ feature: 'out_of_scope_writes', eq: 0 }, 5, 2),
  summary_quality: dimension({ all: [{ feature: 'has_summary_section', eq: true }, { feature: 'has_tests_section', eq: true }] }, 5, 3),
  verification_discipline: dimension({ feature: 'passing_test_runs', gte: 1 }, 5, 2),
  efficiency: dimension({ all: [{ feature: 'turn_ratio', lte: 0.8 }, { feature: 'max_identical_failures', lt: 3 }] }, 5, 3),
  communication: dimension({ feature: 'has_summary_section', eq: true }, 5, 3),
};
