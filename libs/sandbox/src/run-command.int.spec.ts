import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SandboxUnavailableError } from '@loopwright/core';
import { runSandboxedCommand, SANDBOX_WORKSPACE, Workspace } from './index';

/** What a hostile command tries from inside; each test first shows the target is really there. */
describe('a sandboxed command', () => {
  let workspace: Workspace;
  const hostProcesses: ChildProcess[] = [];
  const marker = `loopwright-escape-${process.pid}-${Date.now()}`;

  beforeEach(async () => {
    workspace = await Workspace.create('sandbox-attack');
  });
  afterEach(async () => {
    for (const child of hostProcesses.splice(0)) child.kill('SIGKILL');
    await workspace.dispose();
  });

  const hostSleep = (env: NodeJS.ProcessEnv = {}): ChildProcess => {
    const child = spawn('sleep', ['60'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    hostProcesses.push(child);
    return child;
  };
  const run = (command: string, options = {}) => runSandboxedCommand(command, workspace.root, { wallTimeMs: 10_000, ...options });

  it('runs in the workspace, mounted at a fixed path, and reports bubblewrap isolation', async () => {
    await workspace.write('src/a.txt', 'from the host');
    const result = await run('pwd && cat src/a.txt && echo && echo made > src/b.txt && id -u');
    expect(result).toMatchObject({ exitCode: 0, isolation: 'bubblewrap', timedOut: false });
    const [cwd, content, , uid] = result.output.trim().split('\n');
    expect(cwd).toBe(SANDBOX_WORKSPACE);
    expect(content).toBe('from the host');
    expect(uid).not.toBe('0');
    expect(await workspace.read('src/b.txt')).toBe('made\n');
  });

  it("cannot read another process's environment, by /proc or by ps", async () => {
    const secret = `sk-ant-${marker}`;
    const victim = hostSleep({ ANTHROPIC_API_KEY: secret });
    // The attack works from the host: the secret really is in that process's environ.
    await new Promise((r) => setTimeout(r, 100));
    expect(spawnSync('cat', [`/proc/${victim.pid}/environ`], { encoding: 'utf8' }).stdout).toContain(secret);

    const result = await run(
      `cat /proc/${victim.pid}/environ; ps e -A; cat /proc/*/environ; grep -ra ANTHROPIC /proc/*/environ; echo; ls /proc | grep -c '^[0-9]'`,
    );
    expect(result.output).not.toContain(secret);
    // Only the command's own few processes exist in its PID namespace.
    expect(Number(result.output.trim().split('\n').pop())).toBeLessThan(10);
  });

  it('cannot write outside the workspace: the host /tmp, the repository, /etc', async () => {
    const targets = [path.join(tmpdir(), marker), path.join(process.cwd(), marker), path.join('/etc', marker), path.join(path.dirname(workspace.root), marker)];
    const result = await run(targets.map((t) => `echo owned > ${t}`).join('; '));
    for (const target of targets) expect(existsSync(target)).toBe(false);
    expect(result.output).toMatch(/No such file|Read-only|Permission denied/);
  });

  it('cannot see /home, /root, /run or the repository', async () => {
    expect(existsSync(path.join(process.cwd(), 'package.json'))).toBe(true);
    const probes = ['/root', '/home', '/run', '/var/run', '/work', process.cwd(), path.join(process.cwd(), 'package.json')];
    const result = await run(probes.map((p) => `test -e ${p} && echo "visible ${p}"`).join('; ') + '; true');
    expect(result.output).not.toMatch(/visible/);
  });

  it("cannot read the machine's identity: the boot id and the kernel command line", async () => {
    const secrets = ['/proc/sys/kernel/random/boot_id', '/proc/cmdline'].map((p) => readFileSync(p, 'utf8').trim());
    for (const secret of secrets) expect(secret.length).toBeGreaterThan(8);
    const result = await run('cat /proc/sys/kernel/random/boot_id /proc/cmdline /proc/1/cmdline; grep -r . /proc/sys/kernel/random 2>/dev/null; true');
    for (const secret of secrets) expect(result.output).not.toContain(secret);
  });

  it('cannot reach NATS or PostgreSQL over TCP, nor PostgreSQL over its Unix socket', async () => {
    const socket = '/var/run/postgresql/.s.PGSQL.5432';
    const targets: Array<[string, net.NetConnectOpts]> = [
      ['nats', { host: '127.0.0.1', port: 4222 }],
      ['postgres', { host: '127.0.0.1', port: 5432 }],
      ...(existsSync(socket) ? [['postgres-socket', { path: socket }] as [string, net.NetConnectOpts]] : []),
    ];
    for (const [, options] of targets) await expect(connects(options)).resolves.toBe(true);

    const script = `const net = require('net'); for (const [name, o] of ${JSON.stringify(targets)}) net.connect(o)
      .on('connect', () => { console.log('CONNECTED ' + name); process.exit(0); }).on('error', (e) => console.log('refused ' + name + ' ' + e.code));`;
    await writeFile(path.join(workspace.root, 'probe.js'), script);
    const result = await run('node probe.js');
    expect(result.output).not.toMatch(/CONNECTED/);
    expect(result.output.match(/refused/g)).toHaveLength(targets.length);
  });

  it("cannot write through a file descriptor the service inherited open, such as a supervisor's log", async () => {
    const log = path.join(tmpdir(), `${marker}.log`);
    const script = path.join(__dirname, 'testing', 'inherited-fd.process.ts');
    // The supervisor starts the service with its log open on fd 200, not close-on-exec.
    const service = spawnSync('bash', ['-c', 'exec "$0" -r @swc-node/register "$1" "$2" 200>>"$3"', process.execPath, script, 'ls /proc/self/fd; echo LEAKED >&200', log], {
      encoding: 'utf8',
    });
    try {
      const result = JSON.parse(service.stdout);
      expect(result.isolation).toBe('bubblewrap');
      expect(readFileSync(log, 'utf8')).toBe('');
      expect(result.output).toMatch(/Bad file descriptor/);
      // Only the standard three and the one `ls` opens on /proc/self/fd.
      expect(result.output.split('\n').filter((line: string) => /^\d+$/.test(line))).toEqual(['0', '1', '2', '3']);
    } finally {
      rmSync(log, { force: true });
    }
  });

  it('cannot signal a host process', async () => {
    const victim = hostSleep();
    await run(`kill -9 ${victim.pid}; pkill -9 sleep; kill -9 -1`);
    await new Promise((r) => setTimeout(r, 200));
    expect(victim.exitCode).toBeNull();
    expect(victim.signalCode).toBeNull();
    expect(() => process.kill(victim.pid!, 0)).not.toThrow();
  });

  it('contains a fork bomb: the command ends, its processes stay under the limit, none survive it', async () => {
    const hostUid = 710_000_000 + (process.pid % 1000);
    const counts: number[] = [];
    const sampler = setInterval(() => counts.push(processesOf(hostUid)), 100);
    const result = await run('bomb() { bomb | bomb & }; bomb; sleep 5', { processes: 32, wallTimeMs: 2_000, hostUid });
    clearInterval(sampler);
    expect(result.timedOut || result.exitCode !== 0).toBe(true);
    expect(Math.max(...counts)).toBeGreaterThan(0);
    // The outer bwrap and its reaper run as the same host uid, on top of the workload's 32.
    expect(Math.max(...counts)).toBeLessThanOrEqual(32 + 2);
    expect(processesOf(hostUid)).toBe(0);
    expect(spawnSync('true').status).toBe(0);
  });

  it('ends a command that exhausts memory', async () => {
    const limits = { memoryBytes: 2 ** 30, wallTimeMs: 30_000 };
    // The same limit leaves room for node itself: it is the allocation loop that is stopped.
    expect(await run('node -e "console.log(Buffer.alloc(1 << 20, 1).length)"', limits)).toMatchObject({ exitCode: 0, output: '1048576\n' });
    const result = await run('node -e "const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))"', limits);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).not.toBe(0);
  });

  it('stops a huge file write at the file-size limit', async () => {
    const result = await run('head -c 100000000 /dev/zero > big.bin', { fileSizeBytes: 2 ** 20 });
    expect(result.exitCode).not.toBe(0);
    expect(statSync(path.join(workspace.root, 'big.bin')).size).toBeLessThanOrEqual(2 ** 20);
  });

  it('caps endless output and ends it at the time limit', async () => {
    const result = await run('yes', { outputBytes: 4_096, wallTimeMs: 1_000 });
    expect(result.timedOut).toBe(true);
    expect(result.outputTruncated).toBe(true);
    expect(result.output).toMatch(/output capped at 4096 bytes/);
    expect(Buffer.byteLength(result.output)).toBeLessThan(4_096 + 200);
  });

  it('kills a command sleeping past its limit, with everything it started', async () => {
    const hostUid = 711_000_000 + (process.pid % 1000);
    const result = await run('sleep 30 & sleep 30', { wallTimeMs: 300, hostUid });
    expect(result).toMatchObject({ timedOut: true, exitCode: null });
    await new Promise((r) => setTimeout(r, 100));
    expect(processesOf(hostUid)).toBe(0);
  });

  it('has no io_uring, which would do in the kernel what the seccomp filter refuses as a system call', async () => {
    const setup = `python3 -c "import ctypes; libc = ctypes.CDLL(None, use_errno=True); params = ctypes.create_string_buffer(120); print(libc.syscall(425, 4, params), ctypes.get_errno())"`;
    const result = await run(setup);
    expect(result).toMatchObject({ exitCode: 0, output: '-1 38\n' });
  });

  it('limits CPU seconds', async () => {
    const result = await run('node -e "for (;;) {}"', { cpuSeconds: 1, wallTimeMs: 20_000 });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).not.toBe(0);
  });

  it("runs the system's node whatever the workspace puts on PATH between commands", async () => {
    const fake = path.join(workspace.root, 'node');
    await writeFile(fake, '#!/bin/sh\necho FAKE NODE\nexit 0\n');
    await chmod(fake, 0o755);
    // A worker's earlier command tries every way to make the next one pick up ./node.
    await run('export PATH=$PWD:$PATH; echo "export PATH=$PWD:\\$PATH" >> ~/.bashrc; echo "PATH=$PWD:\\$PATH" > .bashrc; cp .bashrc .profile; cp .bashrc .bash_env');
    const result = await run('node -e "console.log(process.execPath)"; command -v node; ./node');
    const [execPath, found, explicit] = result.output.trim().split('\n');
    expect(path.dirname(execPath)).toBe(path.dirname(found));
    expect(found).not.toContain(SANDBOX_WORKSPACE);
    expect(['/usr/bin/node', '/usr/local/bin/node', '/bin/node']).toContain(found);
    expect(explicit).toBe('FAKE NODE');
  });

  it('refuses to run when bubblewrap is missing, saying what to install', async () => {
    const missing = run('echo ran > ran.txt', { bwrapPath: '/nonexistent/bwrap', allowUnsafe: false });
    await expect(missing).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(missing).rejects.toThrow(/apt-get install -y bubblewrap/);
    expect(existsSync(path.join(workspace.root, 'ran.txt'))).toBe(false);
  });

  it('runs unisolated only when the operator sets LOOPWRIGHT_UNSAFE_NO_SANDBOX=1, and says so', async () => {
    process.env['LOOPWRIGHT_UNSAFE_NO_SANDBOX'] = '1';
    process.env['LOOPWRIGHT_SECRET_FOR_TEST'] = 'do-not-leak';
    try {
      const result = await run('env; echo ran', { bwrapPath: '/nonexistent/bwrap' });
      expect(result).toMatchObject({ isolation: 'none', exitCode: 0 });
      expect(result.output).toMatch(/ran/);
      expect(result.output).not.toMatch(/do-not-leak/);
      const slow = await run('sleep 30', { bwrapPath: '/nonexistent/bwrap', wallTimeMs: 300 });
      expect(slow).toMatchObject({ isolation: 'none', timedOut: true });
    } finally {
      delete process.env['LOOPWRIGHT_UNSAFE_NO_SANDBOX'];
      delete process.env['LOOPWRIGHT_SECRET_FOR_TEST'];
    }
  });

  it('leaves no process of an unsandboxed command behind to write into the workspace later, and runs it as a uid of its own', async () => {
    process.env['LOOPWRIGHT_UNSAFE_NO_SANDBOX'] = '1';
    try {
      const hostUid = 714_000_000 + (process.pid % 1000);
      const late = "setsid sh -c 'sleep 1; echo late > late.txt' >/dev/null 2>&1 < /dev/null & nohup sh -c 'sleep 1; echo late > nohup.txt' >/dev/null 2>&1 & id -u";
      const result = await run(late, { bwrapPath: '/nonexistent/bwrap', hostUid });
      expect(result).toMatchObject({ isolation: 'none', exitCode: 0, output: `${hostUid}\n` });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(existsSync(path.join(workspace.root, 'late.txt'))).toBe(false);
      expect(existsSync(path.join(workspace.root, 'nohup.txt'))).toBe(false);
      expect(processesOf(hostUid)).toBe(0);
    } finally {
      delete process.env['LOOPWRIGHT_UNSAFE_NO_SANDBOX'];
    }
  });

  it('still accepts a bare time limit as its third argument', async () => {
    const result = await runSandboxedCommand('sleep 30', workspace.root, 300);
    expect(result).toMatchObject({ timedOut: true, exitCode: null, isolation: 'bubblewrap' });
  });
});

function connects(options: net.NetConnectOpts): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(options);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Live processes of a host uid (a zombie has ended; it only waits for the host's init to reap it). */
function processesOf(uid: number): number {
  const result = spawnSync('ps', ['-o', 'stat=', '-u', String(uid)], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((stat) => stat.trim() !== '' && !stat.startsWith('Z')).length;
}
