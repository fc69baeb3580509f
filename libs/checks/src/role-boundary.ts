import type { Role } from '@loopwright/events';
import { roleArtifactFiles } from './artifacts/artifact-files';
import { inScratchArea, pathAllowed } from './path-scope';

/** What one role owns: the files it may write (globs; empty: no source files) and its turn budget. */
export interface RoleBoundary {
  maxTurns: number;
  owns: readonly string[];
  /** Roles whose owned files this role leaves alone when they are in the same pipeline. */
  yieldsTo: readonly Role[];
}

export type RoleBoundaries = Readonly<Record<Role, RoleBoundary>>;

export interface BoundaryScope {
  role: Role;
  pipeline: readonly Role[];
  boundaries: RoleBoundaries;
  /** The goal's allowed paths: the outer fence for every role. */
  allowedPaths: readonly string[];
  scratchPaths: readonly string[];
}

/**
 * Whether a role may change `path`: its own artifact files and the inputs it is given always; the
 * scratch area never counts; otherwise the goal's allowed paths, narrowed to what the role owns and
 * minus what a role it yields to owns when that role is in the pipeline.
 */
export function insideRoleBoundary(path: string, scope: BoundaryScope): boolean {
  const artifacts = roleArtifactFiles(scope.role);
  if ([...artifacts.writes, ...artifacts.inputs].includes(path.replace(/^\.\//, ''))) return true;
  if (inScratchArea(path, scope.scratchPaths)) return true;
  const boundary = scope.boundaries[scope.role];
  if (!pathAllowed(path, scope.allowedPaths) || !pathAllowed(path, boundary.owns)) return false;
  return !boundary.yieldsTo.some((other) => other !== scope.role && scope.pipeline.includes(other) && pathAllowed(path, scope.boundaries[other].owns));
}

/** The paths of a change that lie outside the role's boundary, sorted. */
export function boundaryViolations(paths: readonly string[], scope: BoundaryScope): string[] {
  return [...new Set(paths.filter((p) => !insideRoleBoundary(p, scope)))].sort();
}
