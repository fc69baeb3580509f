import { ValidationError } from '@loopwright/core';
import { createEvent } from '@loopwright/events';
import { openTestLog } from '@loopwright/testing';
import { EventLog, LogConfig } from './index';

const TOKEN = 'tok-9f8e7d6c5b4a3210';

/** The log refuses an event carrying one of the appending process's own secrets; the rest of the work goes on. */
describe('the secret guard on append', () => {
  let config: LogConfig;
  let log: EventLog;
  let drop: () => Promise<void>;
  const stepWith = (runId: string, input: string) => createEvent({
    type: 'trace.step', aggregateId: runId, producer: 'executor',
    data: { taskId: `${runId}-engineer`, iteration: 1, step: 0, kind: 'command', tool: 'run_command', input },
  });
  const stored = async () => (await log.jsm.streams.info(config.streamName)).state.messages;

  beforeAll(async () => {
    process.env['DEPLOY_UPLOAD_TOKEN'] = TOKEN;
    ({ log, config, drop } = await openTestLog('secret', 'executor'));
  });

  afterAll(async () => {
    delete process.env['DEPLOY_UPLOAD_TOKEN'];
    await drop();
  });

  it('refuses the event, naming its type and the field, without the secret, and stores nothing', async () => {
    const before = await stored();
    const attempt = log.append(stepWith('r1', `curl -H "authorization: Bearer ${TOKEN}" https://example.test`));
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    const error = (await attempt.catch((e: unknown) => e)) as ValidationError;
    expect(error.message).toMatch(/^trace\.step was not appended: data\.input contains/);
    expect(`${error.message} ${JSON.stringify(error.issues)}`).not.toContain(TOKEN);
    expect(await stored()).toBe(before);
    await log.append(stepWith('r1', 'curl https://example.test'));
    expect(await stored()).toBe(before + 1);
  });

  it('quarantines the message whose handler tried to append a secret, and moves on', async () => {
    const outputs: string[] = [];
    const consumer = await log.consume({ durable: 'executor-secret-echo', filterSubject: `${config.subjectRoot}.run.r2.*.trace.step` }, async (event) => {
      if (event.type !== 'trace.step') return;
      outputs.push(event.data.input);
      // a handler that echoes the environment into the log, as a careless tool would
      await log.append(stepWith('r3', `${event.data.input}: ${process.env['DEPLOY_UPLOAD_TOKEN']}`));
    });
    const first = await log.append(stepWith('r2', 'echo $DEPLOY_UPLOAD_TOKEN'));
    const notices = async () => {
      const found = [];
      for await (const s of log.replay({ filter: `${config.subjectRoot}.system.>` })) found.push(s.event);
      return found;
    };
    while ((await notices()).length === 0) await new Promise((r) => setTimeout(r, 20));
    await consumer.stop();
    const [notice] = await notices();
    if (notice?.type !== 'system.event.quarantined') throw new Error('no quarantine notice');
    expect(notice.data.originalSeq).toBe(first.seq);
    expect(notice.data.reason).toMatch(/trace\.step was not appended: data\.input contains/);
    expect(notice.data.reason).not.toContain(TOKEN);
    expect(outputs).toEqual(['echo $DEPLOY_UPLOAD_TOKEN']);
    expect((await log.readRun('r3', () => undefined)).length).toBe(0);
  });
});
