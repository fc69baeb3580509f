import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** What the process inherits on top of this one's environment: the log's coordinates and the service's settings. */

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  url: Promise<string>;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a service's main.ts as its own process (as it runs in production), on the given environment. */
export function startServiceProcess(name: 'executor' | 'grader' | 'router' | 'miner' | 'console', env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'apps', name, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready:\n${output}`)));
  });
  return {
    name,
    child,
    url,
    output: () => output,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
