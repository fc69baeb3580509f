import { FileContent, rerunFilesWithin } from './delivered-change';
import { canonicalPath, pathAllowed } from './path-scope';
import { BoundaryScope, insideRoleBoundary } from './role-boundary';

/**
 * The files the grader re-runs the goal's tests on, for one role: the workspace the role started
 * from wherever the role may not write, the delivered files wherever it may, except the tests it was
 * given. Those are the goal's acceptance: a role whose boundary reaches them (allowed paths such as
 * `test/**`) may change them, and the change is recorded and judged, but its re-run runs them as it
 * was given them. Only the tester, whose work the tests are, is re-run on its own. Tests are what
 * the tester owns; a given test is matched by its canonical path, so no other spelling replaces it.
 */
export function rerunFilesFor(scope: BoundaryScope, base: readonly FileContent[], delivered: readonly FileContent[]): FileContent[] {
  const tests = scope.boundaries.tester.owns;
  const givenTests = new Set(base.map((f) => canonicalPath(f.path)).filter((p): p is string => p !== null && pathAllowed(p, tests)));
  const keepsGivenTest = (path: string) => scope.role !== 'tester' && givenTests.has(canonicalPath(path) ?? path);
  return rerunFilesWithin(base, delivered, (path) => insideRoleBoundary(path, scope) && !keepsGivenTest(path));
}
