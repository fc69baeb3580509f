import { createEvent, LoopEvent } from '@loopwright/events';
import { dropTestStream, testBucketName, testLogConfig } from '@loopwright/testing';
import { EventLog, LogConfig } from './index';

function step(runId: string): LoopEvent {
  return createEvent({
    type: 'trace.step',
    aggregateId: runId,
    producer: 'executor',
    data: { taskId: `${runId}-engineer`, iteration: 1, step: 0, kind: 'search', tool: 'list_files', input: '.' },
  });
}

/** `npm run soak:consumers` reads 500 runs; the normal test run 20. */
const RUNS = Number(process.env['LOOP_SOAK_RUNS'] ?? 20);

async function consumersOnStream(log: EventLog): Promise<number> {
  return (await log.jsm.streams.info(log.config.streamName)).state.consumer_count;
}

/** Reads and leaves a replay every way a caller can: to the end, empty, broken out of, thrown out of. */
async function readEveryWay(log: EventLog, runId: string): Promise<void> {
  await log.readRun(runId);
  await log.readRun(`${runId}-none`);
  for await (const stored of log.replay()) if (stored.seq > 0) break;
  await expect((async () => {
    for await (const stored of log.replay()) throw new Error(`stop at ${stored.seq}`);
  })()).rejects.toThrow(/stop at/);
}

describe('replays', () => {
  const base = testLogConfig('replay-consumers');
  const config: LogConfig = { ...base, producer: 'executor', duplicateWindowMs: 120_000, artifactBucket: testBucketName(base.streamName) };
  const logs: EventLog[] = [];

  afterAll(async () => {
    for (const log of logs.reverse()) await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('leave no consumer on the server however the reader leaves them', async () => {
    logs.push(await EventLog.open(config));
    // a service reads as itself: its permissions must let it delete its readers' consumers
    const log = await EventLog.open({ ...config, user: undefined, pass: undefined }, { ensureStream: false });
    logs.push(log);
    const before = await consumersOnStream(log);
    for (let run = 0; run < RUNS; run++) {
      await log.append(step(`r${run}`));
      await readEveryWay(log, `r${run}`);
    }
    expect(await consumersOnStream(log)).toBe(before);
  }, 60_000 + RUNS * 2_000);
});
