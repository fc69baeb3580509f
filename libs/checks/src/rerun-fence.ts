import { FileContent, rerunFilesWithin } from './delivered-change';
import { pathAllowed } from './path-scope';
import { readOnlyPaths } from './read-only-paths';
import { BoundaryScope, insideRoleBoundary } from './role-boundary';

/**
 * The files the grader re-runs the goal's tests on, for one role: the workspace the role started
 * from wherever the role may not write, the delivered files wherever it may, except among the
 * tests. The tests (what the tester owns) are the goal's acceptance: a role whose boundary reaches
 * them (allowed paths such as `test/**`) may change them or add to them, and the change is recorded
 * and judged, but its re-run runs the tests it was given, with nothing new beside them that could
 * stand in for what they require. Only the tester, whose work the tests are, is re-run on its own.
 */
export function rerunFilesFor(scope: BoundaryScope, base: readonly FileContent[], delivered: readonly FileContent[]): FileContent[] {
  return rerunFilesWithin(base, delivered, mayWriteFor(scope));
}

/** The paths of a re-run's files (rerunFilesFor) to mount read-only: all the role was given and may not write. */
export function rerunReadOnlyPaths(scope: BoundaryScope, files: readonly FileContent[]): string[] {
  return readOnlyPaths(files.map((f) => f.path), mayWriteFor(scope));
}

function mayWriteFor(scope: BoundaryScope): (path: string) => boolean {
  const amongTests = (path: string) => scope.role !== 'tester' && pathAllowed(path, scope.boundaries.tester.owns);
  return (path) => insideRoleBoundary(path, scope) && !amongTests(path);
}
