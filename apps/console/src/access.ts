import { createHash, timingSafeEqual } from 'node:crypto';
import type { ConsoleConfig } from './console.config';

export interface AccessRequest {
  method: string;
  path: string;
  /** The token the request presents: an `Authorization: Bearer` header, or for reads a `token` query or cookie. */
  bearer?: string;
  readToken?: string;
}

export type Access = { allowed: true } | { allowed: false; status: 401 | 403; message: string };

/** Probes and scrapes stay open whatever the tokens: the platform checks them without credentials. */
const OPEN_PATHS = new Set(['/health', '/metrics']);

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function same(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Who may do what: actions need CONSOLE_TOKEN; reading needs CONSOLE_READ_TOKEN (or the action token) only when it is set. */
export function decideAccess(request: AccessRequest, config: Pick<ConsoleConfig, 'actionToken' | 'readToken'>): Access {
  if (OPEN_PATHS.has(request.path)) return { allowed: true };
  if (READ_METHODS.has(request.method.toUpperCase())) {
    if (!config.readToken) return { allowed: true };
    const token = request.bearer ?? request.readToken;
    if (same(token, config.readToken) || (config.actionToken !== undefined && same(token, config.actionToken))) return { allowed: true };
    return {
      allowed: false,
      status: 401,
      message: token === undefined
        ? 'reading this console needs its read token: open it with ?token=<CONSOLE_READ_TOKEN> or send "Authorization: Bearer <token>"'
        : 'the token does not match CONSOLE_READ_TOKEN: ask whoever runs the console for the read token',
    };
  }
  if (!config.actionToken) {
    return {
      allowed: false,
      status: 403,
      message: 'actions are switched off on this console: set CONSOLE_TOKEN where it runs, restart it, and send "Authorization: Bearer <CONSOLE_TOKEN>"',
    };
  }
  if (request.bearer === undefined) {
    return { allowed: false, status: 401, message: 'this action needs the console token: send "Authorization: Bearer <CONSOLE_TOKEN>" (on the page, enter it in the token field)' };
  }
  if (!same(request.bearer, config.actionToken)) {
    return { allowed: false, status: 401, message: 'the token does not match CONSOLE_TOKEN: check the token and try again' };
  }
  return { allowed: true };
}
