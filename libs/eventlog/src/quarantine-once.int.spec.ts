import { quarantineOnce } from './index';
import { useTestLog } from './testing/use-test-log';

describe('a quarantine notice', () => {
  // a duplicate window far shorter than the time between the two attempts below
  const { config, log: opened } = useTestLog('quarantine-once', { producer: 'grader', duplicateWindowMs: 200 });

  it('is appended once per message even when the second attempt comes after the duplicate window', async () => {
    const log = opened();
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
