import type { DataSource } from 'typeorm';
import { createEvent, LoopEvent } from '@loopwright/events';
import { EventLog, LogConfig, startNatsServer, TestNatsServer } from '@loopwright/eventlog';
import { ALL_PROJECTIONS, defineReadModel, openDatabase, PROJECTION_MIGRATIONS } from '@loopwright/projections';
import { createTestSchema, testBucketName, testLogConfig, TestSchema } from '@loopwright/testing';
import { RunningProjections, startProjections } from './start-projections';

function step(n: number): LoopEvent {
  return createEvent({
    type: 'trace.step', aggregateId: 'r1', producer: 'executor',
    data: { taskId: 'r1-engineer', iteration: 1, step: n, kind: 'search', tool: 'list_files', input: '.' },
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** A nats-server of the test's own (it gets restarted), a log on it, and a schema of projections. */
async function openWorld(): Promise<{ server: TestNatsServer; log: EventLog; schema: TestSchema; db: DataSource }> {
  const server = await startNatsServer();
  const base = testLogConfig('projection_recovery');
  const config: LogConfig = { ...base, natsUrl: server.url, producer: 'miner', duplicateWindowMs: 120_000, artifactBucket: testBucketName(base.streamName) };
  const schema = await createTestSchema('projection_recovery');
  return { server, schema, log: await EventLog.open(config), db: await openDatabase({ url: schema.databaseUrl, schema: schema.schema }, PROJECTION_MIGRATIONS) };
}

describe('the projection reader', () => {
  let world: Awaited<ReturnType<typeof openWorld>>;
  let log: EventLog;
  let db: DataSource;
  let running: RunningProjections | undefined;

  beforeEach(async () => {
    world = await openWorld();
    ({ log, db } = world);
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await Promise.all([log.close(), db.destroy()]);
    await world.schema.drop();
    await world.server.stop();
  });

  it('catches up by itself within 10 s after nats-server restarts under it', async () => {
    running = await startProjections(log, db, { stallMs: 2_000 });
    const before = await log.appendMany(Array.from({ length: 50 }, (_, i) => step(i)));
    await running.waitFor(before[before.length - 1].seq, 60_000);

    await world.server.restart();
    const after = await log.appendMany(Array.from({ length: 50 }, (_, i) => step(50 + i)));
    // appends held back over the reconnect can be stored out of order: the last stored one counts
    const last = Math.max(...after.map((a) => a.seq));
    await running.waitFor(last, 10_000);
    expect(running.position()).toBe(last);
    // a health check sent while the server was down may time out after the reader caught up: the next one clears it
    const healthy = Date.now() + 10_000;
    while (running.problem() !== undefined && Date.now() < healthy) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(running.problem()).toBeUndefined();
  }, 120_000);

  it('leaves no consumer of its own behind on the server after nats-server restarts under it', async () => {
    const consumers = async () => {
      const names: string[] = [];
      for await (const info of log.jsm.consumers.list(log.config.streamName)) names.push(info.name);
      return names;
    };
    running = await startProjections(log, db, { stallMs: 2_000 });
    const before = await log.appendMany(Array.from({ length: 50 }, (_, i) => step(i)));
    await running.waitFor(before[before.length - 1].seq, 60_000);

    for (let restart = 0; restart < 3; restart++) {
      await world.server.restart('SIGKILL');
      const after = await log.appendMany(Array.from({ length: 20 }, (_, i) => step(100 * (restart + 1) + i)));
      await running.waitFor(after[after.length - 1].seq, 60_000);
    }
    await running.stop();
    running = undefined;
    expect(await consumers()).toEqual([]);
  }, 180_000);

  it('reports itself stalled while it cannot apply what the log holds, and recovers', async () => {
    let broken = false;
    const brittle = defineReadModel({
      name: 'brittle', version: 1, handles: ['trace.step'], tables: [],
      applyMany: async () => {
        if (broken) throw new Error('the database refuses');
      },
    });
    running = await startProjections(log, db, { stallMs: 1_000, retryDelayMs: 100, projections: { ...ALL_PROJECTIONS, readModels: [...ALL_PROJECTIONS.readModels, brittle] } });
    const first = await log.append(step(0));
    await running.waitFor(first.seq, 60_000);
    expect(running.problem()).toBeUndefined();

    broken = true;
    const stuck = await log.append(step(1));
    await until(() => running!.problem() !== undefined);
    expect(running.problem()).toMatch(new RegExp(`the projection reader is stalled at sequence ${first.seq} for \\d+ s while the log is at ${stuck.seq}`));

    broken = false;
    await running.waitFor(stuck.seq, 60_000);
    await until(() => running!.problem() === undefined);
    expect(running.position()).toBe(stuck.seq);
  }, 120_000);
});
