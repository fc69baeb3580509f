/**
 * The reason text a sandbox gives when it refuses a write outside the allowed paths. Trace
 * features count a refused write as out of scope when its reason matches `isScopeRefusal`.
 */
export const SCOPE_REFUSAL = 'outside the allowed paths';

export function isScopeRefusal(reason: string | undefined): boolean {
  return reason !== undefined && /allowed ?paths?|\bscope\b/i.test(reason);
}

/**
 * Whether an agent may write `path`. Allowed paths are exact relative paths (`src/sum.js`) or
 * prefixes ending in `/**` (`src/**` allows every file below `src/`); no other glob syntax.
 * Absolute paths and paths that climb out with `..` are never allowed, whatever the patterns say.
 */
export function pathAllowed(path: string, allowedPaths: readonly string[]): boolean {
  const target = normalizeRelative(path);
  if (target === null) return false;
  return allowedPaths.some((pattern) => {
    if (pattern.endsWith('/**')) {
      const prefix = normalizeRelative(pattern.slice(0, -3));
      return prefix !== null && target.startsWith(`${prefix}/`);
    }
    return normalizeRelative(pattern) === target;
  });
}

/** `a/./b//c` → `a/b/c`; null for an empty, absolute or escaping path. */
function normalizeRelative(path: string): string | null {
  const unified = path.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[A-Za-z]:/.test(unified) || unified.startsWith('~')) return null;
  const segments = unified.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return null;
  return segments.join('/');
}
