import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '@loopwright/core';
import { Role } from '@loopwright/events';
import type { ImportGoal } from '@loopwright/importers';

export interface ImportGoalFlags {
  goal?: string;
  allow?: string[];
  scratch?: string[];
  test?: string;
  role?: string;
  description?: string;
  budget?: string;
}

/** When neither flags nor a goal file say otherwise: any path, scratch in /tmp, tests recognized by their runner. */
export const IMPORT_DEFAULTS = {
  allowedPaths: ['**'],
  scratchPaths: ['/tmp/**'],
  testCommand: 'none declared (test runs are recognized by their runner)',
  role: 'engineer',
  /** What grading one imported run may spend on judge calls. */
  budgetUsd: 1,
} as const;

const GoalFile = z
  .object({
    allowedPaths: z.array(z.string().min(1)).min(1),
    scratchPaths: z.array(z.string().min(1)),
    testCommand: z.string().trim().min(1),
    role: Role,
    budgetUsd: z.number().nonnegative(),
    title: z.string().min(1).max(200),
    description: z.string().min(1),
  })
  .partial()
  .strict();

/** What the transcripts do not say about their goal, from `--goal FILE` and flags (flags win). */
export function importGoalFrom(flags: ImportGoalFlags): ImportGoal {
  let fromFile: z.infer<typeof GoalFile> = {};
  if (flags.goal) {
    let raw: unknown;
    try {
      raw = parse(readFileSync(flags.goal, 'utf8')) ?? {};
    } catch (error) {
      throw new ValidationError(`cannot read the goal file ${flags.goal}: ${(error as Error).message}`);
    }
    const parsed = GoalFile.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(goal)', message: i.message }));
      throw new ValidationError(
        `the goal file ${flags.goal} is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}. ` +
          'It may hold allowedPaths, scratchPaths, testCommand, role, budgetUsd, title and description.',
        issues,
      );
    }
    fromFile = parsed.data;
  }
  const role = Role.safeParse(flags.role ?? fromFile.role ?? IMPORT_DEFAULTS.role);
  if (!role.success) throw new ValidationError(`--role must be one of ${Role.options.join(', ')}`);
  return {
    allowedPaths: flags.allow?.length ? flags.allow : fromFile.allowedPaths ?? [...IMPORT_DEFAULTS.allowedPaths],
    scratchPaths: flags.scratch?.length ? flags.scratch : fromFile.scratchPaths ?? [...IMPORT_DEFAULTS.scratchPaths],
    testCommand: flags.test?.trim() || fromFile.testCommand || IMPORT_DEFAULTS.testCommand,
    role: role.data,
    budgetUsd: budgetOf(flags.budget) ?? fromFile.budgetUsd ?? IMPORT_DEFAULTS.budgetUsd,
    ...(flags.description ?? fromFile.description ? { description: flags.description ?? fromFile.description } : {}),
    ...(fromFile.title ? { title: fromFile.title } : {}),
  };
}

function budgetOf(flag: string | undefined): number | undefined {
  if (flag === undefined) return undefined;
  const usd = Number(flag);
  if (!Number.isFinite(usd) || usd < 0) throw new ValidationError(`--budget must be a number of USD, 0 or more (got "${flag}")`);
  return usd;
}
