import { posix } from 'node:path';

/**
 * Whether a relative path falls inside the task's scope. Patterns are exact paths or a directory
 * with a trailing `/**`; a path that climbs out (`../x`) or is absolute is never inside.
 */
export function isAllowedPath(path: string, allowedPaths: readonly string[]): boolean {
  if (posix.isAbsolute(path)) return false;
  const normalized = posix.normalize(path);
  if (normalized === '..' || normalized.startsWith('../')) return false;
  return allowedPaths.some((pattern) => {
    if (pattern === '**') return true;
    if (!pattern.endsWith('/**')) return normalized === posix.normalize(pattern);
    const dir = posix.normalize(pattern.slice(0, -3));
    return normalized === dir || normalized.startsWith(`${dir}/`);
  });
}
