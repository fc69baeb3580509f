import { spawn, spawnSync } from 'node:child_process';

export interface CommandResult {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
  durationMs: number;
}

const MAX_OUTPUT = 16_000;

/** The environment a sandboxed command sees: nothing of the parent's (no keys, no tokens). */
export function scrubbedEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TMPDIR: home, NODE_OPTIONS: '' };
}

let networkIsolation: boolean | undefined;

/** Whether `unshare -n` works here (it needs root or user namespaces): then commands run without network. */
export function canIsolateNetwork(): boolean {
  networkIsolation ??= spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  return networkIsolation;
}

/**
 * Runs a shell command in `cwd` with a scrubbed environment, a time limit and, where the OS
 * allows, no network. Output (stdout and stderr interleaved) is capped.
 */
export function runSandboxedCommand(command: string, cwd: string, timeoutMs: number): Promise<CommandResult> {
  const started = Date.now();
  const [file, args] = canIsolateNetwork() ? ['unshare', ['-n', 'bash', '-c', command]] : ['bash', ['-c', command]];
  return new Promise((resolve) => {
    const child = spawn(file, args as string[], { cwd, env: scrubbedEnv(cwd), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    const append = (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        exitCode: timedOut ? null : code,
        output: timedOut ? `${output}\n[killed after ${timeoutMs} ms]` : output,
        timedOut,
        durationMs: Date.now() - started,
      });
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, output: error.message, timedOut: false, durationMs: Date.now() - started });
    });
  });
}
