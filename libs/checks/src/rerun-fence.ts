import { FileContent, rerunFilesWithin } from './delivered-change';
import { pathAllowed } from './path-scope';
import { readOnlyPaths } from './read-only-paths';
import { BoundaryScope, insideRoleBoundary } from './role-boundary';

/**
 * What decides how the goal's test command runs, wherever it stands: the package manager's own
 * configuration (`script-shell=/bin/true` runs no test, `node-options` drops the test process
 * guard). Never the role's to change for its re-run.
 */
const PACKAGE_MANAGER_CONFIG = /(?:^|\/)(?:\.npmrc|\.yarnrc(?:\.yml)?|\.pnpmfile\.cjs)$/;
/** A test runner's hooks and options outside the test folders (a root `conftest.py` can set pytest's exit status): the tests' own, so the tester's. */
const TEST_RUNNER_CONFIG = /(?:^|\/)(?:conftest\.py|pytest\.ini)$/;

/**
 * The files the grader re-runs the goal's tests on, for one role: the workspace the role started
 * from wherever the role may not write, the delivered files wherever it may, except among the
 * tests. The tests (what the tester owns) are the goal's acceptance: a role whose boundary reaches
 * them (allowed paths such as `test/**`) may change them or add to them, and the change is recorded
 * and judged, but its re-run runs the tests it was given, with nothing new beside them that could
 * stand in for what they require. Only the tester, whose work the tests are, is re-run on its own.
 * How the test command runs is the goal's too: the package manager's configuration as given, and
 * the scripts of `package.json` as given (the rest of the role's `package.json` stands).
 */
export function rerunFilesFor(scope: BoundaryScope, base: readonly FileContent[], delivered: readonly FileContent[]): FileContent[] {
  return rerunFilesWithin(base, delivered, mayWriteFor(scope)).map((file) => (file.path === 'package.json' ? withGivenScripts(file, base) : file));
}

/** The paths of a re-run's files (rerunFilesFor) to mount read-only: all the role was given and may not write. */
export function rerunReadOnlyPaths(scope: BoundaryScope, files: readonly FileContent[]): string[] {
  return readOnlyPaths(files.map((f) => f.path), mayWriteFor(scope));
}

function mayWriteFor(scope: BoundaryScope): (path: string) => boolean {
  const amongTests = (path: string) => scope.role !== 'tester' && (pathAllowed(path, scope.boundaries.tester.owns) || TEST_RUNNER_CONFIG.test(path));
  return (path) => insideRoleBoundary(path, scope) && !amongTests(path) && !PACKAGE_MANAGER_CONFIG.test(path);
}

/** The role's package.json with the scripts it was given (none, if none was); the given file whole where either does not parse. */
function withGivenScripts(file: FileContent, base: readonly FileContent[]): FileContent {
  const given = base.find((f) => f.path === 'package.json');
  const manifest = parsedObject(file.content);
  const givenManifest = given ? parsedObject(given.content) : {};
  if (!manifest || !givenManifest) return given ?? { path: file.path, content: '{}\n' };
  const { scripts: _theirs, ...rest } = manifest;
  const scripts = givenManifest['scripts'];
  return { path: file.path, content: `${JSON.stringify(scripts === undefined ? rest : { ...rest, scripts }, null, 2)}\n` };
}

function parsedObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
