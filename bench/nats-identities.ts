// What connecting as a service's own NATS user costs: appends through the generated permissions (the
// executor's user: its allow list and the other identities' denied durables) against the operator's
// (allow everything), on one server started here, in interleaved rounds; and the secret guard's cost
// per append, against appending with no secrets to look for.
//
//   node -r @swc-node/register bench/nats-identities.ts [--events 5000] [--rounds 5]
import { parseArgs } from 'node:util';
import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig, natsCredentialsFromEnv, refuseSecrets, startNatsWithIdentities } from '@loopwright/eventlog';

const { values } = parseArgs({ options: { events: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '5' } } });
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);
const STREAM = 'BENCH_IDENTITIES';
const ROOT = 'benchids';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function steps(round: number, n: number): LoopEvent[] {
  return Array.from({ length: n }, (_, i) => createEvent({
    type: 'trace.step', aggregateId: `r${round}-${i % 50}`, producer: 'executor',
    data: { taskId: `t${i % 50}`, iteration: 1, step: i, kind: 'command', tool: 'run_command', input: `node test/sum.test.js # ${i}`, output: 'ok '.repeat(40) },
  }));
}

async function appendRate(log: EventLog, events: LoopEvent[]): Promise<number> {
  const started = performance.now();
  await log.appendMany(events);
  return events.length / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const nats = await startNatsWithIdentities({ streamName: STREAM, subjectRoot: ROOT, objectStoreBucket: `${STREAM}_artifacts` });
  const base = { natsUrl: nats.server.url, streamName: STREAM, subjectRoot: ROOT, producer: 'executor' as const, duplicateWindowMs: 120_000, artifactBucket: `${STREAM}_artifacts` };
  const as = (identity: 'operator' | 'executor'): LogConfig => ({ ...base, ...natsCredentialsFromEnv(identity, nats.env) });
  const operator = await EventLog.open(as('operator'));
  const executor = await EventLog.open(as('executor'));
  try {
    const rates = { operator: [] as number[], executor: [] as number[] };
    await appendRate(operator, steps(-1, 1_000)); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['operator', 'executor'] as const) : (['executor', 'operator'] as const);
      for (const who of order) rates[who].push(await appendRate(who === 'operator' ? operator : executor, steps(round * 2 + (who === 'operator' ? 0 : 1), EVENTS)));
    }

    const events = steps(1_000, EVENTS);
    const secrets = Array.from({ length: 12 }, (_, i) => `sk-bench-secret-${i}-0123456789abcdef`);
    const guard = (list: string[]) => {
      const started = performance.now();
      for (const event of events) refuseSecrets(event, list);
      return ((performance.now() - started) * 1000) / events.length;
    };
    const guardUs: number[] = [];
    const noneUs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      guardUs.push(guard(secrets));
      noneUs.push(guard([]));
    }
    const appendUs = 1e6 / median(rates.executor);
    const result = {
      events: EVENTS, rounds: ROUNDS,
      appendsPerSecond: { operator: Math.round(median(rates.operator)), executor: Math.round(median(rates.executor)) },
      executorOverOperator: Number((median(rates.executor) / median(rates.operator)).toFixed(3)),
      secretGuardMicrosecondsPerEvent: { twelveSecrets: Number(median(guardUs).toFixed(2)), noSecrets: Number(median(noneUs).toFixed(2)) },
      secretGuardShareOfAnAppend: Number((median(guardUs) / appendUs).toFixed(4)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await operator.close();
    await executor.close();
    await nats.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
