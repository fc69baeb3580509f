import type { z } from 'zod';

/** One reason a value was refused: where (a dotted path, `(root)` for the value itself) and why. */
export interface SchemaIssue {
  path: string;
  message: string;
}

type RawIssue = z.core.$ZodIssue;

/**
 * Flattens a zod error into path + reason pairs. zod reports a failed union as one root-level
 * "Invalid input" holding every alternative's issues; that names no path, so for each union this
 * keeps the alternative that got furthest into the value (deepest path, then fewest issues).
 */
export function schemaIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): SchemaIssue[] {
  return flatten(error.issues, prefix).map(({ path, message }) => ({
    path: path.length === 0 ? '(root)' : path.map(String).join('.'),
    message,
  }));
}

interface FlatIssue {
  path: PropertyKey[];
  message: string;
}

function flatten(issues: readonly RawIssue[], prefix: readonly PropertyKey[]): FlatIssue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors.map((branch) => flatten(branch, path));
      return bestBranch(branches);
    }
    return [{ path, message: issue.message }];
  });
}

function bestBranch(branches: FlatIssue[][]): FlatIssue[] {
  const depth = (b: FlatIssue[]) => Math.max(0, ...b.map((i) => i.path.length));
  return branches.reduce((best, b) =>
    depth(b) > depth(best) || (depth(b) === depth(best) && b.length < best.length) ? b : best,
  );
}
