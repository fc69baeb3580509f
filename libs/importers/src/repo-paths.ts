/** A path relative to the repository root when it lies inside it; otherwise the path as given. */
export function relativeToRoot(path: string, root: string | undefined): string {
  const unified = path.replace(/\\/g, '/');
  if (!root || !unified.startsWith('/')) return unified.replace(/^\.\//, '');
  const base = root.replace(/\/+$/, '');
  if (unified === base) return '.';
  return unified.startsWith(`${base}/`) ? unified.slice(base.length + 1) : unified;
}
