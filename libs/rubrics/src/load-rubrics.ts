import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RoleBoundaries } from '@loopwright/checks';
import { ValidationError } from '@loopwright/core';
import { parseRubric, Rubric } from './rubric';
import { RubricFileError } from './rubric-error';
import { GOLDEN_SUFFIX, listYamlFiles, readRubricSource } from './rubric-files';
import { BOUNDARIES_FILE, loadRoleBoundaries } from './role-boundaries';
import { defaultRubricsDir } from './rubrics-dir';

/** Loads one rubric file (and its sibling golden file); throws RubricFileError naming file, field and reason. */
export function loadRubric(file: string, boundaries?: RoleBoundaries): Rubric {
  return parseRubric(readRubricSource(file), boundaries);
}

/**
 * Loads every rubric below a directory, sorted by id. Refuses, naming every bad file at once:
 * an invalid rubric or golden set, two rubrics with one id, a golden file without its rubric.
 */
export function loadRubrics(dir: string = defaultRubricsDir()): Rubric[] {
  const files = listYamlFiles(dir).filter((file) => file !== join(dir, BOUNDARIES_FILE));
  const boundaries = existsSync(join(dir, BOUNDARIES_FILE)) ? loadRoleBoundaries(dir) : undefined;
  const errors: RubricFileError[] = [];
  const rubrics: Rubric[] = [];
  for (const file of files) {
    if (file.endsWith(GOLDEN_SUFFIX)) {
      const rubricFile = file.slice(0, -GOLDEN_SUFFIX.length) + '.yaml';
      if (!files.includes(rubricFile)) {
        errors.push(new RubricFileError(file, [{ path: '(file)', message: `no rubric ${rubricFile} beside it` }]));
      }
      continue;
    }
    try {
      rubrics.push(loadRubric(file, boundaries));
    } catch (error) {
      if (!(error instanceof RubricFileError)) throw error;
      errors.push(error);
    }
  }
  const byId = new Map<string, string>();
  for (const rubric of rubrics) {
    const other = byId.get(rubric.id);
    if (other) {
      errors.push(new RubricFileError(rubric.source.file, [{ path: 'id', message: `"${rubric.id}" is also the id of ${other}` }]));
    }
    byId.set(rubric.id, rubric.source.file);
  }
  errors.push(...sharedKeyErrors(rubrics));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new ValidationError(
      errors.map((e) => e.message).join('\n'),
      errors.flatMap((e) => e.fileIssues.map((i) => ({ path: `${e.file}:${i.path}`, message: i.message }))),
    );
  }
  return rubrics.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Decision keys are `grader:<role>:<kind>:<item>`: two rubrics that grade one role may not share an
 * item id, or their verdicts (and the rules mined from them) would mix under one key.
 */
function sharedKeyErrors(rubrics: readonly Rubric[]): RubricFileError[] {
  const errors: RubricFileError[] = [];
  const owner = new Map<string, Rubric>();
  for (const rubric of rubrics) {
    for (const role of rubric.roles) {
      for (const item of [...rubric.gates, ...rubric.dimensions]) {
        const key = `${role}:${item.id}`;
        const other = owner.get(key);
        if (other && other !== rubric) {
          errors.push(new RubricFileError(rubric.source.file, [{ path: item.id, message: `the ${role} is graded on "${item.id}" by ${other.id} too: item ids of one role's rubrics must differ` }]));
        } else owner.set(key, rubric);
      }
    }
  }
  return errors;
}
