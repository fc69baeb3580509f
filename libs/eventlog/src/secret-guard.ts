import { ValidationError } from '@loopwright/core';
import type { LoopEvent } from '@loopwright/events';

const SECRET_NAME = /(_KEY|_TOKEN|_SECRET|_PASSWORD)$|^LOOPWRIGHT_NATS_PASSWORD_/;
/** Shorter values would match ordinary text. */
const MIN_SECRET_LENGTH = 8;

/**
 * The values of this process's own secrets: environment variables named `*_KEY`, `*_TOKEN`, `*_SECRET`,
 * `*_PASSWORD` (ANTHROPIC_API_KEY and GRADER_ANTHROPIC_API_KEY among them), the per-identity NATS
 * passwords, and any other value given (the NATS password it connected with).
 */
export function secretsFromEnv(env: NodeJS.ProcessEnv, others: readonly (string | undefined)[] = []): string[] {
  const values = [...Object.entries(env).filter(([name]) => SECRET_NAME.test(name)).map(([, value]) => value), ...others];
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH))];
}

/** The JSON path (`data.items[1].evidence`) of the first string in `value` that contains one of the secrets. */
export function secretPath(value: unknown, secrets: readonly string[], path = ''): string | undefined {
  if (typeof value === 'string') return secrets.some((secret) => value.includes(secret)) ? path || '(root)' : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = secretPath(value[i], secrets, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const found = secretPath(child, secrets, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

/** Refuses to let an event carry one of the process's secrets into the log, which nobody can delete from. */
export function refuseSecrets(event: LoopEvent, secrets: readonly string[]): void {
  if (secrets.length === 0) return;
  const path = secretPath(event, secrets);
  if (path === undefined) return;
  throw new ValidationError(
    `${event.type} was not appended: ${path} contains the value of one of this process's secrets ` +
      '(an environment variable named *_KEY, *_TOKEN, *_SECRET or *_PASSWORD, or its NATS password); ' +
      'remove or redact it before appending',
    [{ path, message: 'contains a secret of this process' }],
  );
}
