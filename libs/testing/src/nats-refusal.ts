import { PermissionViolationError } from '@nats-io/nats-core';

/** The server's permissions violation behind a refused attempt; fails when the server allowed it. */
export async function permissionRefusal(attempt: Promise<unknown>): Promise<PermissionViolationError> {
  try {
    await attempt;
  } catch (err) {
    const violation = err instanceof PermissionViolationError ? err : (err as Error).cause;
    if (violation instanceof PermissionViolationError) return violation;
    throw err;
  }
  throw new Error('expected a permissions violation, but the server allowed it');
}
