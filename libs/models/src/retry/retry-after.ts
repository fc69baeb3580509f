/**
 * How long the upstream asked us to wait, in ms: `retry-after-ms`, else `retry-after` as seconds
 * or as an HTTP date. Undefined when absent or unusable.
 */
export function retryAfterMs(header: (name: string) => string | null | undefined, nowMs: number): number | undefined {
  const millis = parseFloat(header('retry-after-ms') ?? '');
  if (Number.isFinite(millis) && millis >= 0) return millis;
  const value = header('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
