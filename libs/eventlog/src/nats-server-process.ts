import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface NatsServerOptions {
  /** A nats-server config file (`-c`); includes in it resolve relative to its folder. */
  configFile?: string;
  /** More command-line arguments, after the ones this helper sets. */
  args?: string[];
  /** The JetStream store to use (the caller's, kept by `stop()`); by default a new temporary folder, deleted by `stop()`. */
  storeDir?: string;
}

/** A nats-server process of this process's own (a test's, the demo's), with JetStream, on a loopback port. */
export interface TestNatsServer {
  /** `nats://127.0.0.1:<port>`, without credentials. */
  url: string;
  port: number;
  /** The JetStream store (`-sd`); kept across `kill()`/`start()` and `restart()`. */
  storeDir: string;
  /** Stops the process (SIGTERM unless told) and keeps the store, so `start()` brings the same server back. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again on the same port and store; resolves once it accepts connections. */
  start(): Promise<void>;
  /** `kill()` then `start()`. */
  restart(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the process for good and deletes the store. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 10_000;

export async function startNatsServer(options: NatsServerOptions = {}): Promise<TestNatsServer> {
  const bin = findNatsServerBinary();
  const port = await freePort();
  const storeDir = options.storeDir ?? mkdtempSync(path.join(os.tmpdir(), 'loopwright-nats-'));
  const args = [
    ...(options.configFile ? ['-c', options.configFile] : []),
    '-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir,
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const server: TestNatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async start() {
      if (child) throw new Error(`nats-server on port ${port} is already running`);
      child = await launch(bin, args, port);
      child.once('exit', () => (child = undefined));
    },
    async kill(signal = 'SIGTERM') {
      const running = child;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill(signal);
      const forced = setTimeout(() => running.kill('SIGKILL'), EXIT_TIMEOUT_MS);
      await exited;
      clearTimeout(forced);
      child = undefined;
    },
    async restart(signal) {
      await server.kill(signal);
      await server.start();
    },
    async stop() {
      await server.kill();
      process.removeListener('exit', killOnExit);
      if (!options.storeDir) rmSync(storeDir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

async function launch(bin: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = signal ?? `exit code ${code}`));
  child.once('error', (err) => (exit = err.message));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!exit && Date.now() < deadline) {
    if (await sendsInfo(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server ${args.join(' ')} did not start (${exit ?? 'no answer on its port'}):\n${output}`);
}

/** True when a NATS server greets a new connection on the port with its INFO line. */
function sendsInfo(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (received.includes('\r\n')) done(received.startsWith('INFO '));
    });
    socket.on('error', () => done(false));
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1 (the OS picks it when binding port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `NATS_SERVER_BIN`, `nats-server` on the PATH, or Debian's /usr/sbin/nats-server. */
export function findNatsServerBinary(): string {
  const candidates = [
    process.env.NATS_SERVER_BIN,
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'nats-server')),
    '/usr/sbin/nats-server',
    '/usr/bin/nats-server',
    '/usr/local/bin/nats-server',
  ];
  const found = candidates.find((file) => file && isExecutableFile(file));
  if (!found) {
    throw new Error('nats-server was not found: put it on the PATH or set NATS_SERVER_BIN ' +
      '(`node scripts/services.mjs` installs Debian\'s package when run as root)');
  }
  return found;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
