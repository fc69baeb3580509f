import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { INSECURE_VARIABLE, passwordVariable } from './nats-credentials';
import { NATS_IDENTITIES, NatsScope, natsServerConfig } from './nats-permissions';
import { startNatsServer, TestNatsServer } from './nats-server-process';

/** True when the NATS server at `url` asks every client for a user (`auth_required` in its INFO line). */
export function natsRequiresUsers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 4222) });
    let received = '';
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error(`NATS at ${url} sent no INFO line within 5 s`));
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      const end = received.indexOf('\r\n');
      if (end === -1) return;
      socket.destroy();
      const info = JSON.parse(received.slice('INFO '.length, end)) as { auth_required?: boolean };
      resolve(info.auth_required === true);
    });
    socket.on('error', reject);
  });
}

/** A nats-server of this process's own whose users are the generated identities. */
export interface NatsWithIdentities {
  server: TestNatsServer;
  /** `LOOPWRIGHT_NATS_PASSWORD_<IDENTITY>` for every identity: what a process needs to connect as any of them. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts a nats-server with one user per identity (fresh random passwords) and the permissions
 * natsPermissionsFor generates for `scope`, so what runs against it is held to them.
 */
export async function startNatsWithIdentities(scope: NatsScope): Promise<NatsWithIdentities> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loopwright-nats-users-'));
  const users = NATS_IDENTITIES.map((identity) => ({ identity, password: randomBytes(18).toString('base64url') }));
  const configFile = path.join(dir, 'nats.conf');
  writeFileSync(configFile, natsServerConfig(scope, users), { mode: 0o600 });
  try {
    const server = await startNatsServer({ configFile });
    return {
      server,
      env: Object.fromEntries(users.map(({ identity, password }) => [passwordVariable(identity), password])),
      async stop() {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The NATS server a process (the demo, a test run) goes on using, and what its processes need to connect. */
export interface NatsInUse {
  url: string;
  /** The identities' passwords when the server is this process's own; empty otherwise. */
  env: Record<string, string>;
  /** True when the server was started here (and goes away with `stop()`). */
  own: boolean;
  stop(): Promise<void>;
}

/**
 * The server at `url` when it has users (the credentials then come from the environment) or when
 * LOOPWRIGHT_NATS_INSECURE=1 says to use one without; otherwise (no users, or no answer) a nats-server of
 * this process's own whose users are the generated identities for `scope`, so their permissions apply.
 */
export async function natsWithUsers(url: string, scope: NatsScope, env: NodeJS.ProcessEnv = process.env): Promise<NatsInUse> {
  const hasUsers = await natsRequiresUsers(url).catch(() => false);
  if (hasUsers || env[INSECURE_VARIABLE] === '1') return { url, env: {}, own: false, stop: async () => undefined };
  const nats = await startNatsWithIdentities(scope);
  return { url: nats.server.url, env: nats.env, own: true, stop: () => nats.stop() };
}
