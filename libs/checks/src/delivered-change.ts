import { inScratchArea, pathAllowed } from './path-scope';

export interface FileContent {
  path: string;
  content: string;
}

/** A link or special file in a delivered workspace: reported, never followed, never restored. */
export interface IrregularEntry {
  path: string;
  kind: 'symlink' | 'hardlink' | 'fifo' | 'socket' | 'device' | 'oversized' | 'other';
  target?: string;
  bytes?: number;
}

/** What a piece of work changed, judged against the goal's seed files, whichever tool did it. */
export interface DeliveredChange {
  created: string[];
  modified: string[];
  deleted: string[];
  /** Every created, modified or deleted path outside the allowed paths, and every irregular entry. */
  outOfScope: string[];
  irregular: IrregularEntry[];
}

/** The delivered workspace against the seed: a shell `echo > test/x` counts as much as a write_file; the scratch area never counts. */
export function deliveredChange(
  seed: readonly FileContent[],
  delivered: readonly FileContent[],
  irregular: readonly IrregularEntry[],
  allowedPaths: readonly string[],
  scratchPaths: readonly string[] = [],
): DeliveredChange {
  const before = new Map(seed.map((f) => [f.path, f.content]));
  const after = new Map(delivered.map((f) => [f.path, f.content]));
  const created = [...after.keys()].filter((p) => !before.has(p)).sort();
  const modified = [...after.keys()].filter((p) => before.has(p) && before.get(p) !== after.get(p)).sort();
  const deleted = [...before.keys()].filter((p) => !after.has(p)).sort();
  const outside = [...created, ...modified, ...deleted].filter((p) => !pathAllowed(p, allowedPaths) && !inScratchArea(p, scratchPaths));
  const outOfScope = [...new Set([...outside, ...irregular.map((e) => e.path)])].sort();
  return { created, modified, deleted, outOfScope, irregular: [...irregular] };
}

/**
 * The files the grader's re-run sees: the delivered files inside the allowed paths, and the goal's
 * own seed files everywhere else. A test or fixture the worker changed, deleted or added outside its
 * scope never reaches the re-run; irregular entries are never materialized.
 */
export function rerunFiles(seed: readonly FileContent[], delivered: readonly FileContent[], allowedPaths: readonly string[]): FileContent[] {
  return rerunFilesWithin(seed, delivered, (path) => pathAllowed(path, allowedPaths));
}

/**
 * The same, for any fence: the files of the workspace the role started from wherever the role may
 * not write (a tester's re-run keeps the engineer's code as the engineer handed it on), the
 * delivered files wherever it may.
 */
export function rerunFilesWithin(base: readonly FileContent[], delivered: readonly FileContent[], mayWrite: (path: string) => boolean): FileContent[] {
  const protectedBase = base.filter((f) => !mayWrite(f.path));
  const worked = delivered.filter((f) => mayWrite(f.path));
  return [...protectedBase, ...worked].sort((a, b) => a.path.localeCompare(b.path));
}

/** The named features of a delivered change. */
export type DeliveredFeatures = {
  files_created: number;
  files_modified: number;
  files_deleted: number;
  /** Created, modified or deleted outside the allowed paths, plus links and special files. */
  out_of_scope_changes: number;
  /** Those paths, for the evidence and the feedback. */
  out_of_scope_paths: string;
  irregular_files: number;
};

export const DELIVERED_FEATURE_NAMES = [
  'files_created', 'files_modified', 'files_deleted', 'out_of_scope_changes', 'out_of_scope_paths', 'irregular_files',
] as const satisfies readonly (keyof DeliveredFeatures)[];

export function deliveredFeatures(change: DeliveredChange): DeliveredFeatures {
  return {
    files_created: change.created.length,
    files_modified: change.modified.length,
    files_deleted: change.deleted.length,
    out_of_scope_changes: change.outOfScope.length,
    out_of_scope_paths: change.outOfScope.join(', '),
    irregular_files: change.irregular.length,
  };
}
