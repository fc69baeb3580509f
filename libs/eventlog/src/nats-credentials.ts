import { ValidationError } from '@loopwright/core';
import type { NatsIdentity } from './nats-permissions';

/** Set to 1 to connect to a NATS server that has no users (a development server); said on stderr. */
export const INSECURE_VARIABLE = 'LOOPWRIGHT_NATS_INSECURE';

/** The password of one identity, for a process that acts as several (the demo, the test harness). */
export function passwordVariable(identity: NatsIdentity): string {
  return `LOOPWRIGHT_NATS_PASSWORD_${identity.toUpperCase()}`;
}

export interface NatsCredentials {
  user?: string;
  pass?: string;
}

let warnedInsecure = false;

/**
 * The NATS user a process connects as: `LOOPWRIGHT_NATS_USER` / `LOOPWRIGHT_NATS_PASSWORD` (one process,
 * one identity), else `LOOPWRIGHT_NATS_PASSWORD_<IDENTITY>` as the identity's own user. Without either,
 * only `LOOPWRIGHT_NATS_INSECURE=1` lets it connect without a user, and that is said on stderr.
 */
export function natsCredentialsFromEnv(identity: NatsIdentity, env: NodeJS.ProcessEnv = process.env): NatsCredentials {
  const user = env['LOOPWRIGHT_NATS_USER'];
  if (user) {
    const pass = env['LOOPWRIGHT_NATS_PASSWORD'];
    if (!pass) throw new ValidationError(`LOOPWRIGHT_NATS_USER is ${user} but LOOPWRIGHT_NATS_PASSWORD is not set: set both`);
    return { user, pass };
  }
  const own = env[passwordVariable(identity)];
  if (own) return { user: identity, pass: own };
  if (env[INSECURE_VARIABLE] === '1') {
    if (!warnedInsecure) {
      process.stderr.write(`loopwright: connecting to NATS as ${identity} WITHOUT a user (${INSECURE_VARIABLE}=1): ` +
        'no permissions apply; for a development server only\n');
      warnedInsecure = true;
    }
    return {};
  }
  throw new ValidationError(
    `no NATS credentials for ${identity}: set LOOPWRIGHT_NATS_USER and LOOPWRIGHT_NATS_PASSWORD (or ${passwordVariable(identity)}); ` +
      `to use a development server without users, set ${INSECURE_VARIABLE}=1`,
  );
}
