import { fork, ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { createEvent } from '@loopwright/events';
import { EventLog, LogConfig } from '@loopwright/eventlog';
import { createTestSchema, dropTestStream, testBucketName, testLogConfig } from '@loopwright/testing';

const SCRIPT = path.join(__dirname, 'testing', 'slow-projector.process.ts');

function startProjectorProcess(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = fork(SCRIPT, [], { env: { ...process.env, ...env }, execArgv: ['-r', '@swc-node/register'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`projector process exited early with ${code}`)));
  });
}

describe('a projector process killed mid-batch', () => {
  it('is redelivered the unacked events and, restarted, applies each exactly once', async () => {
    const base = testLogConfig('crash');
    const config: LogConfig = { ...base, producer: 'executor', duplicateWindowMs: 120_000, artifactBucket: testBucketName(base.streamName) };
    const schema = await createTestSchema('crash');
    const env = {
      NATS_URL: config.natsUrl,
      LOOP_STREAM: config.streamName,
      LOOP_SUBJECT_ROOT: config.subjectRoot,
      DATABASE_URL: schema.databaseUrl,
      LOOP_DB_SCHEMA: schema.schema,
      APPLY_DELAY_MS: '15',
      ACK_WAIT_MS: '2000',
    };
    const log = await EventLog.open(config);
    const pg = new Client({ connectionString: schema.databaseUrl });
    await pg.connect();
    const children: ChildProcess[] = [];
    const count = async () =>
      Number((await pg.query(`SELECT count(*) AS n FROM "${schema.schema}".applied`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
    try {
      const total = 200;
      await log.appendMany(
        Array.from({ length: total }, (_, i) =>
          createEvent({
            type: 'trace.step',
            aggregateId: `run-${i % 4}`,
            producer: 'executor',
            data: { taskId: 't', iteration: 1, step: i, kind: 'search', tool: 'list_files', input: '.' },
          }),
        ),
      );
      const first = await startProjectorProcess(env);
      children.push(first);
      while ((await count()) < 40) await new Promise((r) => setTimeout(r, 10));
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const appliedBeforeRestart = await count();
      expect(appliedBeforeRestart).toBeLessThan(total);

      const second = await startProjectorProcess({ ...env, APPLY_DELAY_MS: '0' });
      children.push(second);
      // Until the consumer has nothing left to hand out: every redelivered duplicate has arrived.
      const consumer = `projector-slow-v1`;
      const outstanding = async () => {
        const info = await log.jsm.consumers.info(config.streamName, consumer);
        return info.num_pending + info.num_ack_pending;
      };
      while ((await outstanding()) > 0) await new Promise((r) => setTimeout(r, 20));
      second.kill('SIGTERM');
      const applied = (await pg.query(`SELECT seq FROM "${schema.schema}".applied`)).rows.map((r: { seq: string }) => Number(r.seq));
      const missing = Array.from({ length: total }, (_, i) => i + 1).filter((seq) => !applied.includes(seq));
      expect({ missing }).toEqual({ missing: [] });
      // Deliveries counted by the consumer exceed the events: the killed process's unacked batch came again.
      expect((await log.jsm.consumers.info(config.streamName, consumer)).delivered.consumer_seq).toBeGreaterThan(total);

      const rows = await pg.query(`SELECT count(*) AS n, count(DISTINCT event_id) AS d, max(seq) AS m FROM "${schema.schema}".applied`);
      expect(Number(rows.rows[0].n)).toBe(total);
      expect(Number(rows.rows[0].d)).toBe(total);
      const checkpoint = await pg.query(`SELECT last_seq FROM "${schema.schema}".projection_checkpoint WHERE projector = 'slow@v1'`);
      expect(Number(checkpoint.rows[0].last_seq)).toBe(Number(rows.rows[0].m));
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await pg.end();
      await log.close();
      await schema.drop();
      await dropTestStream(config.natsUrl, config.streamName);
    }
  }, 120_000);
});
