/**
 * The workspace paths a re-run mounts read-only, so that code under test cannot rewrite the tests a
 * later test process loads: for each file the role may not write, the top-most directory above it
 * that holds no file the role may write, else the file itself. A directory, not its files one by
 * one, because a directory that holds only mounted files could still be renamed and replaced.
 */
export function readOnlyPaths(paths: readonly string[], mayWrite: (path: string) => boolean): string[] {
  const writable = paths.filter(mayWrite);
  const chosen = new Set<string>();
  for (const path of paths) {
    if (mayWrite(path)) continue;
    const parts = path.split('/');
    let found = path;
    for (let depth = 1; depth < parts.length; depth++) {
      const dir = parts.slice(0, depth).join('/');
      if (!writable.some((w) => w.startsWith(`${dir}/`))) {
        found = dir;
        break;
      }
    }
    chosen.add(found);
  }
  return [...chosen].sort();
}
