import { ValidationError } from '@loopwright/core';

/** Environment variables whose values are secrets: model keys, tokens, passwords. */
const SECRET_NAME = /(_KEY|_TOKEN|_SECRET|_PASSWORD|_PASS)$|^ANTHROPIC_API_KEY$|^GRADER_ANTHROPIC_API_KEY$/;
const MIN_SECRET_LENGTH = 8;

/** The values of this process's secrets (short values are ignored: they would match by chance). */
export function secretValuesOf(env: NodeJS.ProcessEnv): { name: string; value: string }[] {
  return Object.entries(env)
    .filter((entry): entry is [string, string] => SECRET_NAME.test(entry[0]) && typeof entry[1] === 'string' && entry[1].length >= MIN_SECRET_LENGTH)
    .map(([name, value]) => ({ name, value }));
}

/** The JSON path of the first string in `value` that contains one of the secrets, or undefined. */
export function findSecret(value: unknown, secrets: readonly { name: string; value: string }[], path = 'data'): { path: string; name: string } | undefined {
  if (typeof value === 'string') {
    const hit = secrets.find((s) => value.includes(s.value));
    return hit && { path, name: hit.name };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findSecret(value[i], secrets, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = findSecret(inner, secrets, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Refuses an event whose data carries one of this process's own secret values: the log is
 * immutable, so a key that reached it could never be taken back. The error names the field and the
 * variable, never the value.
 */
export function refuseSecrets(event: { type: string; data: unknown }, env: NodeJS.ProcessEnv = process.env): void {
  const found = findSecret(event.data, secretValuesOf(env));
  if (found) {
    throw new ValidationError(`${event.type} carries the value of ${found.name} at ${found.path}: refused, secrets never enter the log`, [
      { path: found.path, message: `contains the value of ${found.name}` },
    ]);
  }
}
