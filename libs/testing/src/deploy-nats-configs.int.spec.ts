import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findNatsServerBinary } from './index';

const ROOT = path.resolve(__dirname, '../../..');
const PASSWORDS = Object.fromEntries(
  ['OPERATOR', 'EXECUTOR', 'GRADER', 'ROUTER', 'MINER', 'SUBMITTER', 'CONSOLE'].map((user) => [`NATS_${user}_PASSWORD`, `${user}-test`]),
);

/**
 * The deployment NATS configs, checked by a real nats-server (`-t`). The one on this machine may be 2.9,
 * which does not know `sync_interval`, so that single line is taken out of the copy it checks.
 */
describe.each([
  ['docker-compose', 'deploy/nats', 'loopwright.deploy.conf'],
  ['k8s', 'k8s/base/nats', 'nats.conf'],
  ['development', 'deploy/nats', 'loopwright.conf'],
])('the %s NATS config', (_kind, dir, file) => {
  let copy: string;
  beforeAll(() => {
    copy = mkdtempSync(path.join(os.tmpdir(), 'loopwright-nats-conf-'));
    cpSync(path.join(ROOT, dir), copy, { recursive: true });
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  const check = (env: NodeJS.ProcessEnv) =>
    promisify(execFile)(findNatsServerBinary(), ['-c', path.join(copy, file), '-t'], { env }).then(
      ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
      (err: { stdout: string; stderr: string }) => ({ ok: false, output: err.stdout + err.stderr }),
    );

  it('is valid for nats-server with its passwords in the environment', async () => {
    const config = path.join(copy, file);
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^\s*sync_interval:.*$/m, ''));
    const result = await check({ ...process.env, ...PASSWORDS, POD_NAME: 'nats-0' });
    expect(result).toEqual({ ok: true, output: expect.stringContaining('is valid') });
  });

  if (file !== 'loopwright.conf') {
    it('refuses to start without its passwords', async () => {
      const result = await check({ PATH: process.env.PATH, POD_NAME: 'nats-0' });
      expect(result).toEqual({ ok: false, output: expect.stringContaining('NATS_OPERATOR_PASSWORD') });
    });
  }
});
