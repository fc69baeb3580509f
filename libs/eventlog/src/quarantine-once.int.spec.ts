import { dropTestStream, testBucketName, testLogConfig } from '@loopwright/testing';
import { EventLog, LogConfig, quarantineOnce } from './index';

describe('a quarantine notice', () => {
  // a duplicate window far shorter than the time between the two attempts below
  const base = testLogConfig('quarantine-once');
  const config: LogConfig = { ...base, producer: 'grader', duplicateWindowMs: 200, artifactBucket: testBucketName(base.streamName) };
  let log: EventLog;

  beforeAll(async () => {
    log = await EventLog.open(config);
  });

  afterAll(async () => {
    await log.close();
    await dropTestStream(config.natsUrl, config.streamName);
  });

  it('is appended once per message even when the second attempt comes after the duplicate window', async () => {
    const notice = {
      streamName: config.streamName, consumer: 'grader-work-produced', producer: 'grader' as const, seq: 42,
      subject: `${config.subjectRoot}.run.r1.executor.work.produced`, deliveries: 6, reason: 'the handler did not return',
    };
    await quarantineOnce(log, notice);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await quarantineOnce(log, { ...notice, deliveries: 7 });
    await quarantineOnce(log, { ...notice, seq: 43 });
    const seqs: number[] = [];
    for await (const stored of log.replay({ filter: `${config.subjectRoot}.system.>` })) {
      if (stored.event?.type === 'system.event.quarantined') seqs.push(stored.event.data.originalSeq);
    }
    expect(seqs).toEqual([42, 43]);
  });
});
