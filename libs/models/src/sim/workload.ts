import { ValidationError } from '@loopwright/core';
import { SubjectToken } from '@loopwright/events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isAllowedPath } from './allowed-paths';

/** The defects a simulated agent can have; each is drawn at iteration 1 with the spec's probability. */
export const DEFECTS = [
  'claims_without_running_tests',
  'writes_outside_scope',
  'thrashes',
  'stops_at_turn_limit',
  'missing_sections',
  'broken_code',
] as const;
export type Defect = (typeof DEFECTS)[number];

const Probability = z.number().min(0).max(1);
const FileSpec = z.object({ path: z.string().min(1), content: z.string() });

export const WorkloadGoalSchema = z
  .object({
    id: SubjectToken,
    title: z.string().min(1),
    description: z.string().min(1),
    allowedPaths: z.array(z.string().min(1)).min(1),
    testCommand: z.string().min(1),
    /** Materialized before the agent starts: the tests live here, outside the agent's scope. */
    seedFiles: z.array(FileSpec).default([]),
    /** What a sim agent without the broken_code defect writes. */
    solution: z.array(FileSpec).min(1),
    /** What it writes with broken_code: replaces the solution file of the same path. */
    buggy: z.array(FileSpec).min(1),
  })
  .superRefine((goal, ctx) => {
    for (const [field, files] of [['solution', goal.solution], ['buggy', goal.buggy]] as const) {
      files.forEach((file, i) => {
        if (!isAllowedPath(file.path, goal.allowedPaths)) {
          ctx.addIssue({ code: 'custom', path: [field, i, 'path'], message: `${file.path} is outside allowedPaths` });
        }
      });
    }
  });

export const WorkloadSpecSchema = z
  .object({
    seed: z.union([z.string().min(1), z.number()]).transform(String),
    goals: z.array(WorkloadGoalSchema).min(1),
    defects: z.object(Object.fromEntries(DEFECTS.map((d) => [d, Probability])) as Record<Defect, typeof Probability>).strict(),
    /** Probability that a defect present at iteration n is gone at n+1, when there was feedback. */
    fixOnFeedback: Probability,
    judge: z.object({ noise: Probability, garbageRate: Probability }).strict(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.goals.forEach((goal, i) => {
      if (seen.has(goal.id)) ctx.addIssue({ code: 'custom', path: ['goals', i, 'id'], message: `duplicate goal id ${goal.id}` });
      seen.add(goal.id);
    });
  });

export type WorkloadGoal = z.output<typeof WorkloadGoalSchema>;
export type WorkloadSpec = z.output<typeof WorkloadSpecSchema>;

/** The bundled default workload at the repository root. */
export const DEFAULT_WORKLOAD_PATH = resolve(__dirname, '../../../../workloads/engineer-default.yaml');

export function parseWorkload(yamlText: string, source = '(inline)'): WorkloadSpec {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    throw new ValidationError(`workload ${source} is not YAML: ${(error as Error).message}`, [], { cause: error });
  }
  const parsed = WorkloadSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    throw new ValidationError(`workload ${source} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

export function loadWorkload(path: string = DEFAULT_WORKLOAD_PATH): WorkloadSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`workload ${path} cannot be read: ${(error as Error).message}`, [], { cause: error });
  }
  return parseWorkload(text, path);
}

export function goalOf(spec: WorkloadSpec, goalId: string): WorkloadGoal {
  const goal = spec.goals.find((g) => g.id === goalId);
  if (!goal) {
    throw new ValidationError(`the sim workload has no goal "${goalId}" (it has: ${spec.goals.map((g) => g.id).join(', ')})`, [
      { path: 'goal.id', message: 'unknown goal' },
    ]);
  }
  return goal;
}
