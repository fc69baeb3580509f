import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { freePort } from './index';

const SCRIPT = path.resolve(__dirname, '../../../scripts/services.mjs');
const run = promisify(execFile);

/**
 * scripts/services.mjs when the services it is told to use are not there: it starts nats-server and the
 * embedded PostgreSQL itself, on spare ports with a data folder of the test's own, and they outlive the script.
 */
describe('scripts/services.mjs fallback (real processes)', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let natsPort: number;
  let pgPort: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopwright-services-'));
    chmodSync(dataDir, 0o755); // run as root, the embedded server's `postgres` user must enter it
    [natsPort, pgPort] = [await freePort(), await freePort()];
    const deadPgPort = await freePort();
    env = {
      ...process.env,
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${deadPgPort}/postgres`,
      LOOPWRIGHT_DATA_DIR: dataDir,
      LOOPWRIGHT_PG_PORT: String(pgPort),
    };
  });

  afterAll(async () => {
    const pids = [path.join(dataDir, 'nats.pid'), path.join(dataDir, 'postgres', 'postmaster.pid')]
      .filter((file) => existsSync(file))
      .map((file) => Number(readFileSync(file, 'utf8').split('\n')[0]));
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        continue;
      }
      while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts both, prints the URLs to export and writes them to services.env', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT], { env });
    const exported = parseExports(stdout);
    expect(exported).toEqual({
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`,
    });
    expect(stdout).toMatch(/^# NATS .*\(started\); PostgreSQL .*\(embedded, started\)$/m);
    expect(parseExports(readFileSync(path.join(dataDir, 'services.env'), 'utf8'))).toEqual(exported);

    const nc = await connect({ servers: exported.NATS_URL, reconnect: false });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'PROBE', subjects: ['probe.>'] });
      expect((await jetstream(nc).publish('probe.one', 'x')).seq).toBe(1);
    } finally {
      await nc.close();
    }
    expect(existsSync(path.join(dataDir, 'nats', 'jetstream'))).toBe(true);

    const client = new Client({ connectionString: exported.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ port: string; data: string }>(
        "select current_setting('port') as port, current_setting('data_directory') as data");
      expect(rows[0]).toEqual({ port: String(pgPort), data: path.join(dataDir, 'postgres') });
    } finally {
      await client.end();
    }
  });

  it('finds the servers it started on the next run instead of starting more', async () => {
    const natsPid = readFileSync(path.join(dataDir, 'nats.pid'), 'utf8').trim();
    const { stdout } = await run(process.execPath, [SCRIPT], { env });
    expect(stdout).toMatch(/\(found\); PostgreSQL .*\(embedded, found running\)$/m);
    expect(readFileSync(path.join(dataDir, 'nats.pid'), 'utf8').trim()).toBe(natsPid);
  });

  it('says what to do when nothing can be started', async () => {
    const hopeless = {
      ...env,
      // each told to use, and to start on, a port the other server holds
      NATS_URL: `nats://127.0.0.1:${pgPort}`,
      LOOPWRIGHT_NATS_PORT: String(pgPort),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${natsPort}/postgres`,
      LOOPWRIGHT_PG_PORT: String(natsPort),
    };
    const failure = await run(process.execPath, [SCRIPT], { env: hopeless })
      .then(() => undefined, (err: { code: number; stderr: string }) => err);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/Set NATS_URL/);
    expect(failure?.stderr).toMatch(/Set DATABASE_URL/);
  });
});

function parseExports(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
