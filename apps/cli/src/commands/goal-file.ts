import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ValidationError } from '@loopwright/core';
import type { EventDataInput } from '@loopwright/events';
import { newRunId, parseGoal } from '@loopwright/actions';

export interface GoalFlags {
  file?: string;
  title?: string;
  description?: string;
  role?: string[];
  allow?: string[];
  test?: string;
  budget?: string;
  maxIterations?: string;
  maxTurns?: string;
  backend?: string;
  simGoal?: string;
  simSeed?: string;
  runId?: string;
}

/** A goal from a YAML file and/or flags (flags win), validated against the goal.submitted schema. */
export function goalFromInput(flags: GoalFlags): { runId: string; goal: EventDataInput<'goal.submitted'> } {
  let fromFile: Record<string, unknown> = {};
  if (flags.file) {
    try {
      fromFile = (parse(readFileSync(flags.file, 'utf8')) ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new ValidationError(`cannot read goal file ${flags.file}: ${(error as Error).message}`);
    }
  }
  const runId = flags.runId ?? (fromFile['runId'] as string | undefined) ?? newRunId();
  const labels = { ...((fromFile['labels'] as Record<string, string>) ?? {}) };
  if (flags.simGoal) labels['simGoal'] = flags.simGoal;
  if (flags.simSeed) labels['simSeed'] = flags.simSeed;
  const { runId: _ignored, ...rest } = fromFile;
  const candidate = {
    goalId: runId,
    ...rest,
    ...(flags.title && { title: flags.title }),
    ...(flags.description && { description: flags.description }),
    ...(flags.role?.length && { roles: flags.role }),
    ...(flags.allow?.length && { allowedPaths: flags.allow }),
    ...(flags.test && { testCommand: flags.test }),
    ...(flags.budget !== undefined && { budgetUsd: Number(flags.budget) }),
    ...(flags.maxIterations !== undefined && { maxIterations: Number(flags.maxIterations) }),
    ...(flags.maxTurns !== undefined && { maxTurns: Number(flags.maxTurns) }),
    ...(flags.backend && { backend: flags.backend }),
    labels,
  };
  const goal = parseGoal(candidate, 'Give it in a YAML file (--file) or with --title, --description, --role, --allow, --test and --budget.');
  return { runId, goal };
}
