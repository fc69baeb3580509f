import { AckPolicy } from '@nats-io/jetstream';
import { createEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { dropTestStream, testBucketName, testLogConfig } from '@loopwright/testing';
import { RunningService, startService } from './bootstrap';

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** A service named `name` on a stream of its own, with a 1 s stall limit; its durables are `${name}-…`. */
function useServiceOnOwnStream(suite: string, name: string): { readonly config: LogConfig; readonly log: EventLog; readonly service: RunningService } {
  const base = testLogConfig(suite);
  const config: LogConfig = { ...base, producer: 'executor', duplicateWindowMs: 120_000, artifactBucket: testBucketName(base.streamName) };
  let log: EventLog;
  let service: RunningService;

  beforeAll(async () => {
    process.env['LOOP_PROJECTION_STALL_MS'] = '1000';
    log = await EventLog.open(config);
    service = await startService({ name, producer: 'executor', imports: [], log });
  });

  afterAll(async () => {
    delete process.env['LOOP_PROJECTION_STALL_MS'];
    await service.stop();
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  return { config, get log() { return log; }, get service() { return service; } };
}

describe('/health', () => {
  const suite = useServiceOnOwnStream('health', 'prober');
  const { config } = suite;

  it('fails while one of the service\'s consumers sits behind the log without moving, and recovers when it moves', async () => {
    const health = async () => {
      const response = await fetch(`${suite.service.url}/health`);
      return { status: response.status, body: (await response.json()) as { reason?: string } };
    };
    expect((await health()).status).toBe(200);
    // a durable of the service that nothing pulls from: what a consumer left silent after a NATS restart looks like
    await suite.log.jsm.consumers.add(config.streamName, { durable_name: 'prober-silent', ack_policy: AckPolicy.Explicit, filter_subject: `${config.subjectRoot}.run.>` });
    await suite.log.append(createEvent({
      type: 'trace.step', aggregateId: 'r1', producer: 'executor',
      data: { taskId: 'r1-engineer', iteration: 1, step: 0, kind: 'search', tool: 'list_files', input: '.' },
    }));
    await until(async () => (await health()).status === 503);
    expect((await health()).body.reason).toMatch(/consumer prober-silent is stalled at sequence 0 for \d+ s while the log is at 1/);

    const silent = await suite.log.js.consumers.get(config.streamName, 'prober-silent');
    const message = await silent.next();
    message?.ack();
    await until(async () => (await health()).status === 200);
  }, 60_000);

  it("serves /metrics when the consumers' lag cannot be read, with the lag as last read", async () => {
    expect(await (await fetch(`${suite.service.url}/metrics`)).text()).toContain('loopwright_consumer_pending{consumer="prober-silent"');
    // The stream gone: listing its consumers fails, as it does when JetStream is slow or restarting.
    await dropTestStream(config.natsUrl, config.streamName);
    const scrape = await fetch(`${suite.service.url}/metrics`);
    expect({ status: scrape.status, text: await scrape.text() }).toEqual({ status: 200, text: expect.stringContaining('loopwright_consumer_pending{consumer="prober-silent"') });
  });
});

// The head /health takes for a durable, its position plus the server's pending count, is its position
// itself once it has everything on its filter: later messages on other subjects are not pending for it.
describe('/health of a durable that has read and acked everything on its filter', () => {
  const suite = useServiceOnOwnStream('health-caught-up', 'reader');
  const { config } = suite;
  const step = (runId: string, step: number) => createEvent({
    type: 'trace.step', aggregateId: runId, producer: 'executor',
    data: { taskId: `${runId}-engineer`, iteration: 1, step, kind: 'search', tool: 'list_files', input: '.' },
  });
  const started = (runId: string) => createEvent({
    type: 'task.started', aggregateId: runId, producer: 'executor',
    data: { taskId: `${runId}-engineer`, role: 'engineer', iteration: 1, allowedPaths: ['src/**'], maxTurns: 10 },
  });

  it('is not reported stalled while the log moves on under other subjects, after a redelivery', async () => {
    const handled = new Set<number>();
    let failures = 0;
    await suite.log.consume({ durable: 'reader-steps', filterSubject: suite.log.filterFor('trace.step'), retryDelayMs: 50, concurrency: 2 }, async (_event, { seq }) => {
      if (failures++ === 0) throw new Error('the first run fails, so the message is redelivered');
      handled.add(seq);
    });
    for (const runId of ['r1', 'r2']) for (let i = 0; i < 3; i++) await suite.log.append(step(runId, i));
    await until(async () => handled.size === 6);
    // the log moves on past the reader's last message, on subjects outside its filter
    for (const runId of ['r1', 'r2', 'r3']) await suite.log.append(started(runId));
    // a durable of the service that nothing pulls: once it is reported, stallMs has passed since /health first saw both
    await suite.log.jsm.consumers.add(config.streamName, { durable_name: 'reader-idle', ack_policy: AckPolicy.Explicit, filter_subject: suite.log.filterFor('task.started') });

    const reasons = async () => ((await (await fetch(`${suite.service.url}/health`)).json()) as { reason?: string }).reason ?? '';
    let reason = '';
    await until(async () => /consumer reader-idle is stalled/.test((reason = await reasons())));
    const reader = await suite.log.jsm.consumers.info(config.streamName, 'reader-steps');
    expect({ pending: reader.num_pending, ackPending: reader.num_ack_pending, lastSeq: (await suite.log.jsm.streams.info(config.streamName)).state.last_seq })
      .toEqual({ pending: 0, ackPending: 0, lastSeq: 9 });
    expect(reason).not.toContain('reader-steps');
  }, 60_000);
});
