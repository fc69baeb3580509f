import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { AuthorizationError, NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DiscardPolicy, jetstream, jetstreamManager, JetStreamManager, StorageType } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { Producer } from '@loopwright/events';
import { permissionRefusal, startNatsServer, TestNatsServer } from './index';

const DEV_CONFIG = path.resolve(__dirname, '../../../deploy/nats/loopwright.conf');
const ARTIFACTS = 'LOOP_artifacts';
type User = Producer | 'console' | 'operator';

const refusal = permissionRefusal;

/**
 * The per-service NATS users of deploy/nats/loopwright.conf, against a real nats-server running that config:
 * a service appends only the event types the catalog gives its producer.
 */
describe('NATS service identities (deploy/nats/loopwright.conf)', () => {
  let server: TestNatsServer;
  const connections = new Map<User, NatsConnection>();
  let jsm: JetStreamManager;

  const as = async (user: User): Promise<NatsConnection> => {
    const open = connections.get(user);
    if (open) return open;
    const nc: NatsConnection = await connect({ servers: server.url, user, pass: `${user}-dev`, reconnect: false });
    connections.set(user, nc);
    return nc;
  };
  const publishAs = async (user: User, subject: string) => jetstream(await as(user)).publish(subject, '{}', { timeout: 5000 });
  const storedMessages = async () => (await jsm.streams.info('LOOP')).state.messages;

  beforeAll(async () => {
    server = await startNatsServer({ configFile: DEV_CONFIG });
    jsm = await jetstreamManager(await as('operator'));
    await jsm.streams.add({
      name: 'LOOP', subjects: ['loop.>'], storage: StorageType.File, discard: DiscardPolicy.New,
      deny_delete: true, deny_purge: true, allow_rollup_hdrs: false, duplicate_window: 120_000_000_000,
    });
    await new Objm(await as('operator')).create(ARTIFACTS);
  });

  afterAll(async () => {
    for (const nc of connections.values()) await nc.close().catch(() => undefined);
    await server.stop();
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toBeInstanceOf(AuthorizationError);
    await expect(connect({ servers: server.url, user: 'grader', pass: 'executor-dev', reconnect: false }))
      .rejects.toBeInstanceOf(AuthorizationError);
  });

  it('lets the grader append a grade', async () => {
    const before = await storedMessages();
    const ack = await publishAs('grader', 'loop.run.r1.grader.grade.recorded');
    expect(ack.stream).toBe('LOOP');
    expect(await storedMessages()).toBe(before + 1);
    expect((await jsm.streams.getMessage('LOOP', { seq: ack.seq }))?.subject).toBe('loop.run.r1.grader.grade.recorded');
  });

  it('refuses the grader an executor trace step, and stores nothing', async () => {
    const before = await storedMessages();
    expect((await refusal(publishAs('grader', 'loop.run.r1.executor.trace.step'))).subject).toBe('loop.run.r1.executor.trace.step');
    expect(await storedMessages()).toBe(before);
  });

  it('refuses the executor a grade, under its own name or the grader\'s', async () => {
    const before = await storedMessages();
    expect((await refusal(publishAs('executor', 'loop.run.r1.grader.grade.recorded'))).subject).toBe('loop.run.r1.grader.grade.recorded');
    expect((await refusal(publishAs('executor', 'loop.run.r1.executor.grade.recorded'))).subject).toBe('loop.run.r1.executor.grade.recorded');
    expect(await storedMessages()).toBe(before);
  });

  it('refuses the submitter a forged grade', async () => {
    const before = await storedMessages();
    expect((await refusal(publishAs('submitter', 'loop.run.r1.grader.grade.recorded'))).subject).toBe('loop.run.r1.grader.grade.recorded');
    expect((await refusal(publishAs('submitter', 'loop.run.r1.submitter.grade.recorded'))).subject).toBe('loop.run.r1.submitter.grade.recorded');
    expect(await storedMessages()).toBe(before);
  });

  it('stores nothing from a refused plain (non-JetStream) publish either', async () => {
    const before = await storedMessages();
    const grader = await as('grader');
    grader.publish('loop.run.r1.executor.work.produced', '{}');
    await grader.flush();
    expect(await storedMessages()).toBe(before);
  });

  it('lets a service consume the log with a durable pull consumer and ack', async () => {
    const grader = await as('grader');
    const graderJsm = await jetstreamManager(grader);
    await graderJsm.consumers.add('LOOP', {
      durable_name: 'grader-work', ack_policy: AckPolicy.Explicit, filter_subject: 'loop.run.*.*.grade.recorded',
    });
    const consumer = await jetstream(grader).consumers.get('LOOP', 'grader-work');
    const message = await consumer.next({ expires: 5000 });
    expect(message?.subject).toBe('loop.run.r1.grader.grade.recorded');
    await message!.ackAck();
    expect((await consumer.info()).ack_floor.stream_seq).toBe(message!.seq);
  });

  it('keeps stream management with the operator', async () => {
    const graderJsm = await jetstreamManager(await as('grader'));
    expect((await refusal(graderJsm.streams.delete('LOOP'))).subject).toBe('$JS.API.STREAM.DELETE.LOOP');
    expect((await refusal(graderJsm.streams.add({ name: 'ROGUE', subjects: ['rogue.>'] }))).subject)
      .toBe('$JS.API.STREAM.CREATE.ROGUE');
    expect((await refusal(graderJsm.streams.purge('LOOP'))).subject).toBe('$JS.API.STREAM.PURGE.LOOP');
    expect((await jsm.streams.info('LOOP')).config.name).toBe('LOOP');
  });

  it('lets the executor store an artifact and the grader read it; the miner writes its models, the router only reads', async () => {
    const data = new TextEncoder().encode('workspace snapshot');
    // create() as libs/eventlog opens the bucket: it only reads the stream info of a bucket that exists
    const executorBucket = await new Objm(await as('executor')).create(ARTIFACTS, { storage: StorageType.File });
    const stored = await executorBucket.putBlob({ name: 'sha256-abc' }, data);
    expect(stored.size).toBe(data.length);

    const read = await (await new Objm(await as('grader')).open(ARTIFACTS)).getBlob('sha256-abc');
    expect(new TextDecoder().decode(read!)).toBe('workspace snapshot');

    const minerBucket = await new Objm(await as('miner')).open(ARTIFACTS);
    expect(new TextDecoder().decode((await minerBucket.getBlob('sha256-abc'))!)).toBe('workspace snapshot');
    await minerBucket.putBlob({ name: 'sha256-model' }, new TextEncoder().encode('resident model'));
    const before = (await jsm.streams.info(`OBJ_${ARTIFACTS}`)).state.messages;
    // The submitter and the console write imported changes and long goal descriptions; the others only read.
    for (const reader of ['router', 'grader'] as const) {
      const bucket = await new Objm(await as(reader)).open(ARTIFACTS, false);
      await refusal(bucket.putBlob({ name: 'forged' }, data));
    }
    expect((await jsm.streams.info(`OBJ_${ARTIFACTS}`)).state.messages).toBe(before);
  });
});
