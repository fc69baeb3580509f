import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The commit the measured code is at, and whether the named paths had uncommitted changes. */
export function sourceState(paths: readonly string[] = []): { commit: string; uncommittedIn: string[] } {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
    } catch {
      return '';
    }
  };
  const commit = git('rev-parse', '--short', 'HEAD').trim() || 'unknown';
  const dirty = paths.length > 0 ? git('status', '--porcelain', '--', ...paths) : '';
  // Porcelain lines are `XY <path>`: two status letters (either may be a space), then the path.
  const uncommittedIn = dirty ? [...new Set(dirty.split('\n').filter(Boolean).map((line) => line.slice(3)))] : [];
  return { commit, uncommittedIn };
}
