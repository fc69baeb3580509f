/**
 * The reason text a sandbox gives when it refuses a write outside the allowed paths. Trace
 * features count a refused write as out of scope when its reason matches `isScopeRefusal`.
 */
export const SCOPE_REFUSAL = 'outside the allowed paths';

export function isScopeRefusal(reason: string | undefined): boolean {
  return reason !== undefined && /allowed ?paths?|\bscope\b/i.test(reason);
}

/**
 * Whether an agent may write `path`. Allowed paths are globs over relative paths: `src/**` (every
 * file below `src/`), `src/*.js` (one segment), `**` (everything), exact paths; a pattern starting
 * with `!` excludes what it matches (`!` + `**` + `/tests/` + `**`), whatever the order. Absolute paths and paths
 * that climb out with `..` are never allowed, whatever the patterns say.
 */
export function pathAllowed(path: string, allowedPaths: readonly string[]): boolean {
  const target = normalizeRelative(path);
  if (target === null) return false;
  const matches = (pattern: string) => {
    const regex = globRegex(pattern);
    return regex !== null && regex.test(target);
  };
  const excluded = allowedPaths.filter((p) => p.startsWith('!')).some((p) => matches(p.slice(1)));
  return !excluded && allowedPaths.filter((p) => !p.startsWith('!')).some(matches);
}

/**
 * Whether `path` lies in the declared scratch area (`/tmp/` + `**`, `reproduce*.py`): files an agent
 * may leave behind that never count for or against scope. Scratch patterns may be absolute.
 */
export function inScratchArea(path: string, scratchPaths: readonly string[]): boolean {
  const unified = path.replace(/\\/g, '/');
  return scratchPaths.some((pattern) => {
    if (pattern.startsWith('/')) {
      const regex = globRegex(pattern.slice(1));
      const inside = unified.startsWith('/') ? normalizeRelative(unified.slice(1)) : null;
      return inside !== null && regex !== null && regex.test(inside);
    }
    return pathAllowed(path, [pattern]);
  });
}

/** A glob over normalized relative paths as a regex; null for a pattern that escapes or is absolute. */
function globRegex(pattern: string): RegExp | null {
  if (pattern === '**' || pattern === '**/*') return /^.+$/;
  const normalized = normalizeRelative(pattern);
  if (normalized === null) return null;
  let source = '';
  for (let i = 0; i < normalized.length; i++) {
    const c = normalized[i];
    if (c === '*' && normalized[i + 1] === '*') {
      const slashAfter = normalized[i + 2] === '/';
      source += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // `src/**` matches the files below src/, not src itself.
  if (source.endsWith('/.*')) source = `${source.slice(0, -2)}.+`;
  return new RegExp(`^${source}$`);
}

/** `a/./b//c` → `a/b/c`; null for an empty, absolute or escaping path. */
function normalizeRelative(path: string): string | null {
  const unified = path.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[A-Za-z]:/.test(unified) || unified.startsWith('~')) return null;
  const segments = unified.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return null;
  return segments.join('/');
}
