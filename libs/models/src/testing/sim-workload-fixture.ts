import { DEFECTS, Defect, WorkloadSpec, WorkloadSpecSchema } from '../sim/workload';

/** A one-goal sim workload for tests: no defects, an honest judge, unless overridden. */
export function simWorkload(
  overrides: { seed?: string; defects?: Partial<Record<Defect, number>>; fixOnFeedback?: number; judge?: Partial<WorkloadSpec['judge']> } = {},
): WorkloadSpec {
  return WorkloadSpecSchema.parse({
    seed: overrides.seed ?? 'test-seed',
    defects: { ...Object.fromEntries(DEFECTS.map((d) => [d, 0])), ...overrides.defects },
    fixOnFeedback: overrides.fixOnFeedback ?? 0,
    judge: { noise: 0, garbageRate: 0, ...overrides.judge },
    goals: [
      {
        id: 'sum',
        title: 'Sum a list',
        description: 'Write src/sum.js exporting sum(numbers).',
        allowedPaths: ['src/**'],
        testCommand: 'node test/sum.test.js',
        seedFiles: [{ path: 'test/sum.test.js', content: "require('node:assert').equal(require('../src/sum').sum([1, 2]), 3);\n" }],
        solution: [{ path: 'src/sum.js', content: 'exports.sum = (xs) => xs.reduce((a, b) => a + b, 0);\n' }],
        buggy: [{ path: 'src/sum.js', content: 'exports.sum = (xs) => xs.length;\n' }],
      },
    ],
  });
}
