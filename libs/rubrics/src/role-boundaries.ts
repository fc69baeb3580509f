import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RoleBoundaries } from '@loopwright/checks';
import { Role } from '@loopwright/events';
import { defaultRubricsDir } from './rubrics-dir';
import { parseYaml, validateYaml } from './yaml-source';

const BoundarySchema = z
  .object({ maxTurns: z.number().int().min(1).max(10_000), owns: z.array(z.string().min(1)).default([]), yieldsTo: z.array(Role).default([]) })
  .strict();

const BoundariesFileSchema = z
  .object({ version: z.number().int().min(1), roles: z.record(Role, BoundarySchema) })
  .strict();

export const BOUNDARIES_FILE = 'boundaries.yaml';

/** Parses the role boundaries (a versioned reference table beside the rubrics); every role must be named. */
export function parseRoleBoundaries(file: string, text: string): RoleBoundaries {
  // A record keyed by the role enum needs every role: a missing one is refused by name.
  return validateYaml(parseYaml(file, text), BoundariesFileSchema).roles;
}

/** The role boundaries from `<rubrics>/boundaries.yaml`. */
export function loadRoleBoundaries(dir: string = defaultRubricsDir()): RoleBoundaries {
  const file = join(dir, BOUNDARIES_FILE);
  return parseRoleBoundaries(file, readFileSync(file, 'utf8'));
}
