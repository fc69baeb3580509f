import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, JetStreamApiCodes, JetStreamApiError, jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { dropTestStream, natsConnectOptions, testBucketName, testLogConfig } from './index';

describe('test log helpers (real NATS)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connect(natsConnectOptions(testLogConfig('probe').natsUrl));
    jsm = await jetstreamManager(nc);
  });
  afterAll(() => nc.close());

  const streamExists = (name: string) =>
    jsm.streams.info(name).then(
      () => true,
      (err: unknown) => {
        if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return false;
        throw err;
      },
    );

  it('gives each suite its own stream name and a subject root that is one subject token', () => {
    const a = testLogConfig('event log: append');
    const b = testLogConfig('event log: append');
    expect(a.streamName).not.toBe(b.streamName);
    expect(a.subjectRoot).not.toBe(b.subjectRoot);
    expect(a.streamName).toMatch(/^T_event_log__append_[0-9a-f]{10}$/);
    expect(a.subjectRoot).toMatch(/^t[0-9a-f]{10}$/);
  });

  it('names a stream JetStream accepts and a root whose subjects it captures', async () => {
    const config = testLogConfig('capture');
    try {
      await jsm.streams.add({ name: config.streamName, subjects: [`${config.subjectRoot}.>`] });
      const ack = await jetstream(nc).publish(`${config.subjectRoot}.run.r1.executor.trace.step`, '{}');
      expect(ack.stream).toBe(config.streamName);
      expect((await jsm.streams.info(config.streamName)).state.messages).toBe(1);
    } finally {
      await dropTestStream(config.natsUrl, config.streamName);
    }
  });

  it('drops the stream and its object store bucket', async () => {
    const config = testLogConfig('drop');
    await jsm.streams.add({ name: config.streamName, subjects: [`${config.subjectRoot}.>`] });
    const bucket = await new Objm(nc).create(testBucketName(config.streamName));
    await bucket.putBlob({ name: 'snapshot.tar' }, new TextEncoder().encode('workspace'));
    expect(await streamExists(config.streamName)).toBe(true);
    expect(await streamExists(`OBJ_${testBucketName(config.streamName)}`)).toBe(true);

    await dropTestStream(config.natsUrl, config.streamName);

    expect(await streamExists(config.streamName)).toBe(false);
    expect(await streamExists(`OBJ_${testBucketName(config.streamName)}`)).toBe(false);
  });

  it('drops a stream that was never created without complaint', async () => {
    const config = testLogConfig('never');
    await expect(dropTestStream(config.natsUrl, config.streamName)).resolves.toBeUndefined();
  });
});
