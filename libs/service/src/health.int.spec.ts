import { AckPolicy } from '@nats-io/jetstream';
import { createEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { dropTestStream, testBucketName, testLogConfig } from '@loopwright/testing';
import { RunningService, startService } from './bootstrap';

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('/health', () => {
  const base = testLogConfig('health');
  const config: LogConfig = { ...base, producer: 'executor', duplicateWindowMs: 120_000, artifactBucket: testBucketName(base.streamName) };
  let log: EventLog;
  let service: RunningService;

  beforeAll(async () => {
    process.env['LOOP_PROJECTION_STALL_MS'] = '1000';
    log = await EventLog.open(config);
    service = await startService({ name: 'prober', producer: 'executor', imports: [], log });
  });

  afterAll(async () => {
    delete process.env['LOOP_PROJECTION_STALL_MS'];
    await service.stop();
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('fails while one of the service\'s consumers sits behind the log without moving, and recovers when it moves', async () => {
    const health = async () => {
      const response = await fetch(`${service.url}/health`);
      return { status: response.status, body: (await response.json()) as { reason?: string } };
    };
    expect((await health()).status).toBe(200);
    // a durable of the service that nothing pulls from: what a consumer left silent after a NATS restart looks like
    await log.jsm.consumers.add(config.streamName, { durable_name: 'prober-silent', ack_policy: AckPolicy.Explicit, filter_subject: `${config.subjectRoot}.run.>` });
    await log.append(createEvent({
      type: 'trace.step', aggregateId: 'r1', producer: 'executor',
      data: { taskId: 'r1-engineer', iteration: 1, step: 0, kind: 'search', tool: 'list_files', input: '.' },
    }));
    await until(async () => (await health()).status === 503);
    expect((await health()).body.reason).toMatch(/consumer prober-silent is stalled at sequence 0 for \d+ s while the log is at 1/);

    const silent = await log.js.consumers.get(config.streamName, 'prober-silent');
    const message = await silent.next();
    message?.ack();
    await until(async () => (await health()).status === 200);
  }, 60_000);

  it("serves /metrics when the consumers' lag cannot be read, with the lag as last read", async () => {
    expect(await (await fetch(`${service.url}/metrics`)).text()).toContain('loopwright_consumer_pending{consumer="prober-silent"');
    // The stream gone: listing its consumers fails, as it does when JetStream is slow or restarting.
    await dropTestStream(config.natsUrl, config.streamName);
    const scrape = await fetch(`${service.url}/metrics`);
    expect({ status: scrape.status, text: await scrape.text() }).toEqual({ status: 200, text: expect.stringContaining('loopwright_consumer_pending{consumer="prober-silent"') });
  });
});
