/**
 * A consumer process whose handler kills its own process on a `trace.step` with input `crash`, and
 * acks every other one. The log comes from the environment (LOOP_STREAM,
 * LOOP_SUBJECT_ROOT, NATS_URL, the executor's credentials); CRASH_CONSUMER names the durable.
 */
import { EventLog, logLocationFromEnv, natsCredentialsFromEnv } from '../index';

async function main(): Promise<void> {
  // it connects as the executor: its own permissions must cover the delivery records
  const log = await EventLog.open({ ...logLocationFromEnv(), producer: 'executor', ...natsCredentialsFromEnv('executor') }, { ensureStream: false });
  const root = log.config.subjectRoot;
  await log.consume(
    { durable: process.env['CRASH_CONSUMER'] ?? 'c-crash', filterSubject: `${root}.run.>`, ackWaitMs: 1_000, retryDelayMs: 20 },
    async (event) => {
      if (event.type !== 'trace.step') return;
      if (event.data.input === 'crash') process.kill(process.pid, 'SIGKILL');
    },
  );
  process.stdout.write('consuming\n');
}

void main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
