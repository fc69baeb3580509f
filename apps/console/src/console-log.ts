import { EventLog, logConfigFromEnv } from '@loopwright/eventlog';

/**
 * The console's connection to the log. It appends as the `submitter` producer of the event catalog
 * (goal.submitted, review.resolved, rule.approved, rule.rejected) and, where NATS has per-service
 * users, authenticates as the `console` identity (LOOPWRIGHT_NATS_USER / LOOPWRIGHT_NATS_PASSWORD). Every connection the
 * console makes goes through here.
 */
export function openConsoleLog(env: NodeJS.ProcessEnv = process.env): Promise<EventLog> {
  return EventLog.open(logConfigFromEnv('submitter', env, 'console'));
}
