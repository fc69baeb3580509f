import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, jetstream, jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { catalog, createEvent, EVENT_TYPES, LoopEvent, PRODUCERS } from '@loopwright/events';
import { permissionRefusal, startNatsServer, TestNatsServer } from '@loopwright/testing';
import {
  durableName, EventLog, LogConfig, NATS_IDENTITIES, NatsIdentity, natsServerConfig, producerOf, SERVICE_IDENTITIES,
} from './index';

const refusal = permissionRefusal;

const STREAM = 'IDENTITIES';
const ROOT = 'ids';
const BUCKET = `${STREAM}_artifacts`;
const password = (identity: NatsIdentity) => `${identity}-pw-for-this-test`;

const step = (runId: string, n: number) =>
  createEvent({
    type: 'trace.step', aggregateId: runId, producer: 'executor',
    data: { taskId: `${runId}-engineer`, iteration: 1, step: n, kind: 'read', tool: 'list_files', input: '.' },
  });

/**
 * The users natsServerConfig generates, on a real nats-server, for a stream and subject root that are not
 * the default `LOOP` / `loop`: each service does its own work and nothing of another's.
 */
describe('generated NATS identities', () => {
  let server: TestNatsServer;
  let dir: string;
  const connections = new Map<NatsIdentity, NatsConnection>();
  const logs: EventLog[] = [];
  let operatorJsm: JetStreamManager;

  const as = async (identity: NatsIdentity): Promise<NatsConnection> => {
    const open = connections.get(identity);
    if (open) return open;
    const nc = await connect({ servers: server.url, user: identity, pass: password(identity), reconnect: false });
    connections.set(identity, nc);
    return nc;
  };
  const publishAs = async (identity: NatsIdentity, subject: string) =>
    jetstream(await as(identity)).publish(subject, '{}', { timeout: 5000 });
  const stored = async () => (await operatorJsm.streams.info(STREAM)).state.messages;
  const openLog = async (identity: Exclude<NatsIdentity, 'operator'>): Promise<EventLog> => {
    const config: LogConfig = {
      natsUrl: server.url, streamName: STREAM, subjectRoot: ROOT, producer: producerOf(identity),
      user: identity, pass: password(identity), duplicateWindowMs: 120_000, artifactBucket: BUCKET,
    };
    const log = await EventLog.open(config);
    logs.push(log);
    return log;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'loopwright-identities-'));
    const configFile = path.join(dir, 'nats.conf');
    const scope = { streamName: STREAM, subjectRoot: ROOT, objectStoreBucket: BUCKET };
    writeFileSync(configFile, natsServerConfig(scope, NATS_IDENTITIES.map((identity) => ({ identity, password: password(identity) }))));
    server = await startNatsServer({ configFile });
    // the operator provisions the log and the bucket, as a deployment does
    const operatorLog = await EventLog.open({
      natsUrl: server.url, streamName: STREAM, subjectRoot: ROOT, producer: 'submitter', user: 'operator',
      pass: password('operator'), duplicateWindowMs: 120_000, artifactBucket: BUCKET,
    });
    logs.push(operatorLog);
    await operatorLog.artifacts();
    operatorJsm = await jetstreamManager(await as('operator'));
  });

  afterAll(async () => {
    for (const log of logs) await log.close().catch(() => undefined);
    for (const nc of connections.values()) await nc.close().catch(() => undefined);
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets each identity publish exactly the event types the catalog gives its producer, under its own token', async () => {
    const before = await stored();
    const expected: string[] = [];
    const allowed: string[] = [];
    for (const identity of SERVICE_IDENTITIES) {
      for (const type of EVENT_TYPES) {
        for (const token of PRODUCERS) {
          const subject = `${ROOT}.${catalog[type].aggregate}.x1.${token}.${type}`;
          const owns = token === producerOf(identity) && (catalog[type].producers as readonly string[]).includes(token);
          if (owns) {
            expected.push(`${identity} ${subject}`);
            await publishAs(identity, subject);
            allowed.push(`${identity} ${subject}`);
          } else {
            await refusal(publishAs(identity, subject));
          }
        }
      }
    }
    expect(allowed).toEqual(expected);
    expect(await stored()).toBe(before + expected.length);
  });

  it('refuses the executor a grade, the grader executor events, the submitter grades and decisions', async () => {
    const before = await stored();
    await refusal(publishAs('executor', `${ROOT}.run.r1.grader.grade.recorded`));
    await refusal(publishAs('executor', `${ROOT}.run.r1.executor.grade.recorded`));
    for (const type of ['trace.step', 'work.produced', 'task.completed']) await refusal(publishAs('grader', `${ROOT}.run.r1.executor.${type}`));
    for (const type of ['grade.recorded', 'decision.completed', 'decision.requested', 'decision.routed']) {
      await refusal(publishAs('submitter', `${ROOT}.run.r1.submitter.${type}`));
      await refusal(publishAs('console', `${ROOT}.run.r1.submitter.${type}`));
    }
    expect(await stored()).toBe(before);
  });

  it('refuses the executor every delete and purge: stream, bucket, the grader\'s durable', async () => {
    const grader = await openLog('grader');
    const durable = durableName('grader', 'work.produced');
    await grader.jsm.consumers.add(STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: `${ROOT}.run.*.*.work.produced` });
    const executorJsm = await jetstreamManager(await as('executor'));

    expect((await refusal(executorJsm.consumers.delete(STREAM, durable))).subject).toBe(`$JS.API.CONSUMER.DELETE.${STREAM}.${durable}`);
    expect((await refusal(executorJsm.streams.purge(STREAM))).subject).toBe(`$JS.API.STREAM.PURGE.${STREAM}`);
    expect((await refusal(executorJsm.streams.delete(STREAM))).subject).toBe(`$JS.API.STREAM.DELETE.${STREAM}`);
    expect((await refusal(executorJsm.streams.purge(`OBJ_${BUCKET}`))).subject).toBe(`$JS.API.STREAM.PURGE.OBJ_${BUCKET}`);
    expect((await refusal(executorJsm.streams.delete(`OBJ_${BUCKET}`))).subject).toBe(`$JS.API.STREAM.DELETE.OBJ_${BUCKET}`);
    await refusal(executorJsm.streams.add({ name: 'ROGUE', subjects: ['rogue.>'] }));

    expect((await operatorJsm.consumers.info(STREAM, durable)).name).toBe(durable);
    expect((await operatorJsm.streams.info(STREAM)).config.name).toBe(STREAM);
  });

  it('keeps an artifact\'s bytes in the bucket when a writer tries to delete it, and lets no reader touch it', async () => {
    await (await new Objm(await as('executor')).open(BUCKET)).putBlob({ name: 'kept' }, new TextEncoder().encode('kept'));
    const messages = async () => (await operatorJsm.streams.info(`OBJ_${BUCKET}`)).state.messages;
    const before = await messages();
    // a reader may not even write the deletion marker: the object stays readable
    expect((await refusal((await new Objm(await as('grader')).open(BUCKET)).delete('kept'))).subject).toMatch(/^\$O\./);
    const readBack = await (await new Objm(await as('router')).open(BUCKET)).getBlob('kept');
    expect(new TextDecoder().decode(readBack!)).toBe('kept');
    // a writer's deletion marker replaces the object's metadata (a put like any other), but the purge
    // of its chunks is refused: the bytes stay in the bucket, where the operator can restore them
    const { nuid } = (await (await new Objm(await as('operator')).open(BUCKET)).info('kept'))!;
    expect((await refusal((await new Objm(await as('executor')).open(BUCKET)).delete('kept'))).subject).toBe(`$JS.API.STREAM.PURGE.OBJ_${BUCKET}`);
    expect(await messages()).toBe(before);
    const chunk = await operatorJsm.streams.getMessage(`OBJ_${BUCKET}`, { last_by_subj: `$O.${BUCKET}.C.${nuid}` });
    expect(chunk?.string()).toBe('kept');
  });

  it('refuses the executor the grader\'s durable: it may not take it over, pull from it or ack for it', async () => {
    const durable = durableName('grader', 'decision.routed');
    await (await openLog('grader')).jsm.consumers.add(STREAM, {
      durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: `${ROOT}.run.*.*.decision.routed`,
    });
    const executorJsm = await jetstreamManager(await as('executor'));
    await refusal(executorJsm.consumers.add(STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: `${ROOT}.>` }));
    const executor = await as('executor');
    const next = await refusal(executor.request(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.${durable}`, '{"batch":1}', { timeout: 2000 }));
    expect(next.subject).toBe(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.${durable}`);
    // nor through the legacy create subject, which names no consumer
    for (const key of ['durable_name', 'name']) {
      const config = { [key]: durable, ack_policy: 'explicit', filter_subject: `${ROOT}.>` };
      const reply = await executor.request(`$JS.API.CONSUMER.CREATE.${STREAM}`, JSON.stringify({ stream_name: STREAM, config }), { timeout: 2000 })
        .then((m) => m.json<{ error?: { description: string } }>(), (err: Error) => ({ error: { description: err.message } }));
      expect(reply.error?.description).toEqual(expect.any(String));
    }
    executor.publish(`$JS.ACK.${STREAM}.${durable}.1.1.1.1.0`, '+ACK');
    await executor.flush();
    expect((await operatorJsm.consumers.info(STREAM, durable)).config.filter_subject).toBe(`${ROOT}.run.*.*.decision.routed`);
  });

  it('lets every service do its own work: append, consume its own durable, read the run back', async () => {
    const runId = 'work-run';
    for (const identity of ['executor', 'grader', 'router', 'miner', 'submitter', 'console'] as const) {
      const log = await openLog(identity);
      const producer = producerOf(identity);
      const type = EVENT_TYPES.find((t) => (catalog[t].producers as readonly string[]).includes(producer) && catalog[t].aggregate !== 'run')!;
      expect(type).toBeDefined();
      const seen: LoopEvent[] = [];
      const consumer = await log.consume({ durable: durableName(identity, 'trace.step'), filterSubject: `${ROOT}.run.${runId}.*.trace.step` }, async (e) => {
        seen.push(e);
      });
      while (seen.length === 0) {
        if (identity === 'executor') await log.append(step(runId, 0));
        await new Promise((r) => setTimeout(r, 50));
      }
      const acked = async () => (await log.jsm.consumers.info(STREAM, durableName(identity, 'trace.step'))).ack_floor.stream_seq;
      while ((await acked()) === 0) await new Promise((r) => setTimeout(r, 20));
      await consumer.stop();
      expect(seen[0]).toMatchObject({ type: 'trace.step', aggregateId: runId });
      expect((await log.readRun(runId)).length).toBeGreaterThan(0);
    }
    const minerLog = await openLog('miner');
    const ruleId = 'r-1';
    const appended = await minerLog.emit({
      type: 'audit.checkpoint', aggregateId: ruleId, producer: 'miner', data: { uptoSeq: 1, chainHash: 'a'.repeat(64), eventsCovered: 1 },
    });
    expect(appended.seq).toBeGreaterThan(0);
  });

  it('lets the executor, the miner, the submitter and the console (imports, long goal descriptions) store artifacts, and every service read them; the others may not write', async () => {
    const snapshot = new TextEncoder().encode('workspace snapshot');
    const digest = await (await (await openLog('executor')).artifacts()).put(snapshot);
    await (await (await openLog('miner')).artifacts()).put(new TextEncoder().encode('a resident model'));
    await (await (await openLog('submitter')).artifacts()).put(new TextEncoder().encode('an imported change'));
    await (await (await openLog('console')).artifacts()).put(new TextEncoder().encode('a long goal description'));
    for (const identity of ['grader', 'router'] as const) {
      const store = await (await openLog(identity)).artifacts();
      expect(new TextDecoder().decode(await store.get(digest))).toBe('workspace snapshot');
      await refusal(store.put(new TextEncoder().encode(`forged by ${identity}`)));
    }
  });

  it('lets the operator purge and delete a stream', async () => {
    await operatorJsm.streams.add({ name: 'THROWAWAY', subjects: ['throwaway.>'] });
    await jetstream(await as('operator')).publish('throwaway.x', 'x');
    expect((await operatorJsm.streams.purge('THROWAWAY')).purged).toBe(1);
    expect(await operatorJsm.streams.delete('THROWAWAY')).toBe(true);
  });
});
