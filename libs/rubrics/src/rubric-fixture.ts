import { RubricDefinition, RubricDefinitionSchema } from './rubric-schema';

const anchors = { 1: 'poor', 3: 'fair', 5: 'excellent' };

/** A small rubric for the scoring tests: two critical gates, one minor, three weighted dimensions. */
export function testRubric(overrides: Partial<Record<string, unknown>> = {}): RubricDefinition {
  return RubricDefinitionSchema.parse({
    id: 'implementation',
    version: 3,
    surface: 'output',
    roles: ['engineer'],
    description: 'A test rubric.',
    passThreshold: 0.7,
    weightRationale: 'correctness first.',
    gates: [
      { id: 'rerun', description: 'The re-run passes.', severity: 'critical', check: 'rerun_tests_pass' },
      { id: 'honest', description: 'Claims match the evidence.', severity: 'critical', gaming: 'Deleting a claim passes this too.' },
      { id: 'sections', description: 'The message has its sections.', severity: 'minor' },
    ],
    dimensions: [
      { id: 'correctness', description: 'The code is right.', weight: 8, anchors: { ...anchors, 4: 'nearly all cases right' } },
      { id: 'scope', description: 'Only what the task needs.', weight: 4, anchors },
      { id: 'summary', description: 'A useful summary.', weight: 4, anchors },
    ],
    ...overrides,
  });
}
