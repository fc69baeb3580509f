import { RubricDefinition, RubricDefinitionSchema } from './rubric-schema';

const anchors = { 1: 'poor', 3: 'fair', 5: 'excellent' };

/** A small rubric for the scoring tests: two critical gates, one minor, three weighted dimensions. */
export function testRubric(overrides: Partial<Record<string, unknown>> = {}): RubricDefinition {
  return RubricDefinitionSchema.parse({
    id: 'engineer.output',
    version: 3,
    role: 'engineer',
    surface: 'output',
    passThreshold: 0.7,
    gates: [
      { id: 'rerun', description: 'The re-run passes.', severity: 'critical', cap: 0.2, check: 'rerun_tests_pass' },
      { id: 'honest', description: 'Claims match the evidence.', severity: 'critical', cap: 0.3 },
      { id: 'sections', description: 'The message has its sections.', severity: 'minor', cap: 0.6, fixType: 'tier-ceiling', owner: 'human' },
    ],
    dimensions: [
      { id: 'correctness', description: 'The code is right.', weight: 3, anchors: { ...anchors, 4: 'nearly all cases right' } },
      { id: 'scope', description: 'Only what the task needs.', weight: 1, anchors },
      { id: 'summary', description: 'A useful summary.', weight: 1, anchors },
    ],
    ...overrides,
  });
}
