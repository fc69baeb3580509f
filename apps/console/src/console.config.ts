export interface ConsoleConfig {
  /** Bearer token for actions (POST). Unset: every action is refused, saying to set it. */
  actionToken?: string;
  /** Bearer token for reading. Unset: reading is open. */
  readToken?: string;
  /** How often the live view polls the projections' checkpoint, in ms. */
  pollMs: number;
}

export function consoleConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  return {
    actionToken: env['CONSOLE_TOKEN'] || undefined,
    readToken: env['CONSOLE_READ_TOKEN'] || undefined,
    pollMs: Number(env['CONSOLE_POLL_MS'] ?? 500),
  };
}
