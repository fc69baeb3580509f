import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@loopwright/eventlog';

/** A PostgreSQL cluster of this process's own, from the machine's PostgreSQL binaries: never the machine's server. */
export interface OwnPostgres {
  url: string;
  /** Stops the server at once (`-m immediate`: no shutdown checkpoint, as a crash would). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and deletes the cluster. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(root, v, 'bin')).find((dir) => existsSync(path.join(dir, 'pg_ctl')));
  if (!found) throw new Error(`no PostgreSQL binaries under ${root}/*/bin: install the postgresql package`);
  return found;
}

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` OS user. */
function run(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [bin, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(bin, argv, { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loopwright-pg-'));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const pgCtl = (...args: string[]) => run(path.join(bin, 'pg_ctl'), ['-D', data, '-w', ...args]);
  const start = async () => pgCtl('-l', path.join(dir, 'server.log'), '-o', `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off`, 'start');
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => pgCtl('-m', 'immediate', 'stop'),
    start,
    destroy: async () => {
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
