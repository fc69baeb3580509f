import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningPrometheus {
  url: string;
  /** Instant query through the HTTP API; resolves to the result vector. */
  query(expr: string, atSeconds: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/** Starts Debian's `prometheus` on a configuration of the caller's, with a storage folder of its own. */
export async function startPrometheus(configYaml: string, port: number): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loopwright-prometheus-'));
  writeFileSync(path.join(dir, 'prometheus.yml'), configYaml);
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn('prometheus', [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`${err.message}: install Debian's package with apt-get install -y prometheus`));
    child.once('exit', (code) => resolve(`exit ${code}`));
  });
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return resolve(rmSync(dir, { recursive: true, force: true }));
    child.once('exit', () => resolve(rmSync(dir, { recursive: true, force: true })));
    child.kill('SIGTERM');
  });
  let failed: string | undefined;
  void exited.then((how) => (failed = how));
  for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 200))) {
    if (failed) throw new Error(`prometheus did not start (${failed}):\n${output.slice(-2000)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s:\n${output.slice(-2000)}`);
    }
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) break;
  }
  return {
    url,
    async query(expr, atSeconds) {
      const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr, time: String(atSeconds) })}`);
      const body = (await response.json()) as { status: string; error?: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error}`);
      if (body.data.resultType !== 'vector') throw new Error(`${expr} returned a ${body.data.resultType}, not a vector`);
      return body.data.result;
    },
    stop,
  };
}
