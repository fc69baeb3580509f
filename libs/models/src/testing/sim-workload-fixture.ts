import type { z } from 'zod';
import { DEFECTS, Defect, Latent, LATENTS, WorkloadSpec, WorkloadSpecSchema } from '../sim/workload';

/** A one-goal sim workload for tests: no defects, every hidden quality holding, an honest judge, unless overridden. */
export function simWorkload(
  overrides: {
    seed?: string;
    defects?: Partial<Record<Defect, number>>;
    latent?: Partial<Record<Latent, number>>;
    traceRate?: number;
    fixOnFeedback?: number;
    judge?: Partial<WorkloadSpec['judge']>;
    resident?: z.input<typeof WorkloadSpecSchema>['resident'];
  } = {},
): WorkloadSpec {
  return WorkloadSpecSchema.parse({
    seed: overrides.seed ?? 'test-seed',
    defects: { ...Object.fromEntries(DEFECTS.map((d) => [d, 0])), ...overrides.defects },
    latent: { ...Object.fromEntries(LATENTS.map((l) => [l, 1])), ...overrides.latent },
    traceRate: overrides.traceRate ?? 1,
    fixOnFeedback: overrides.fixOnFeedback ?? 0,
    judge: { noise: 0, garbageRate: 0, ...overrides.judge },
    resident: overrides.resident ?? {},
    goals: [
      {
        id: 'sum',
        title: 'Sum a list',
        description: 'Write src/sum.js exporting sum(numbers).',
        allowedPaths: ['src/**'],
        testCommand: 'node test/sum.test.js',
        edgeCases: 'non-numeric items',
        assumption: 'an empty list sums to 0',
        seedFiles: [{ path: 'test/sum.test.js', content: "require('node:assert').equal(require('../src/sum').sum([1, 2]), 3);\n" }],
        solution: [{ path: 'src/sum.js', content: "exports.sum = (xs) => xs.reduce((a, b) => { if (typeof b !== 'number') throw new TypeError('not a number'); return a + b; }, 0);\n" }],
        naive: [{ path: 'src/sum.js', content: 'exports.sum = (xs) => xs.reduce((a, b) => a + b, 0);\n' }],
        buggy: [{ path: 'src/sum.js', content: 'exports.sum = (xs) => xs.length;\n' }],
      },
    ],
  });
}
