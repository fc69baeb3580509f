import { existsSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { freePort, startNatsServer, TestNatsServer } from './index';

describe('startNatsServer (a real nats-server of the test\'s own)', () => {
  let server: TestNatsServer;
  const connections: NatsConnection[] = [];
  const open = async (options: Parameters<typeof connect>[0] = {}) => {
    const nc = await connect({ servers: server.url, ...options });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    for (const nc of connections) await nc.close().catch(() => undefined);
    await server.stop();
  });

  it('runs JetStream on a loopback port of its own', async () => {
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(server.port).not.toBe(4222);
    const nc = await open();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'KEPT', subjects: ['kept.>'] });
    await jetstream(nc).publish('kept.one', 'before restart');
    expect((await jsm.streams.info('KEPT')).state.messages).toBe(1);
  });

  it('restarts on the same port with the same store, and a connected client carries on', async () => {
    const survivor = await open({ reconnectTimeWait: 50, maxReconnectAttempts: -1 });
    const reconnected = (async () => {
      for await (const status of survivor.status()) if (status.type === 'reconnect') return status.server;
    })();

    await server.restart();

    expect(await reconnected).toBe(`127.0.0.1:${server.port}`);
    const ack = await jetstream(survivor).publish('kept.two', 'after restart');
    expect(ack.seq).toBe(2);
    const jsm = await jetstreamManager(await open());
    const info = await jsm.streams.info('KEPT');
    expect(info.state.messages).toBe(2);
    expect((await jsm.streams.getMessage('KEPT', { seq: 1 }))?.string()).toBe('before restart');
  });

  it('is unreachable between kill() and start(), and comes back with its data', async () => {
    await server.kill();
    await expect(connect({ servers: server.url, reconnect: false, timeout: 1000 })).rejects.toThrow();
    await server.start();
    const jsm = await jetstreamManager(await open());
    expect((await jsm.streams.info('KEPT')).state.messages).toBe(2);
  });

  it('stop() ends the server for good and removes its store', async () => {
    const other = await startNatsServer();
    expect(existsSync(other.storeDir)).toBe(true);
    await other.stop();
    expect(existsSync(other.storeDir)).toBe(false);
    await expect(connect({ servers: other.url, reconnect: false, timeout: 1000 })).rejects.toThrow();
  });

  it('reports a server that cannot start, with its own words', async () => {
    const port = await freePort();
    await expect(startNatsServer({ args: ['--no-such-flag', String(port)] })).rejects.toThrow(/no-such-flag/);
  });
});
