import { createSandboxTools, decodeSnapshot, encodeSnapshot, runSandboxedCommand, SANDBOX_WORKSPACE, Workspace } from './index';

describe('the sandbox', () => {
  let workspace: Workspace;
  beforeEach(async () => {
    workspace = await Workspace.create('sandbox-test');
  });
  afterEach(() => workspace.dispose());

  it('writes inside the allowed paths and refuses outside them, naming the scope', async () => {
    const tools = createSandboxTools(workspace, { allowedPaths: ['src/**'], commandTimeoutMs: 5_000 });
    const ok = await tools.execute('write_file', { path: 'src/a.js', content: 'module.exports = 1;' });
    const refused = await tools.execute('write_file', { path: 'config/x.json', content: '{}' });
    const escape = await tools.execute('write_file', { path: '../escape.txt', content: 'x' });
    expect(ok.refused).toBeUndefined();
    expect(refused.refused).toMatch(/outside the allowed paths/);
    expect(escape.refused).toBeDefined();
    expect(await workspace.list()).toEqual(['src/a.js']);
    await expect(tools.execute('read_file', { path: '/etc/passwd' })).resolves.toMatchObject({ refused: expect.stringMatching(/absolute/) });
  });

  it('runs real commands with exit codes, in the workspace, with a scrubbed environment', async () => {
    process.env['LOOPWRIGHT_SECRET_FOR_TEST'] = 'do-not-leak';
    const tools = createSandboxTools(workspace, { allowedPaths: ['**/**'], commandTimeoutMs: 5_000 });
    const pass = await tools.execute('run_command', { command: 'node -e "process.exit(0)" && pwd' });
    const fail = await tools.execute('run_command', { command: 'node -e "process.exit(3)"' });
    const env = await tools.execute('run_command', { command: 'env' });
    expect(pass.exitCode).toBe(0);
    expect(pass.output.trim()).toBe(SANDBOX_WORKSPACE);
    expect(fail.exitCode).toBe(3);
    expect(env.output).not.toMatch(/do-not-leak/);
    delete process.env['LOOPWRIGHT_SECRET_FOR_TEST'];
  });

  it('kills a command at its time limit', async () => {
    const result = await runSandboxedCommand('sleep 30', workspace.root, 300);
    expect(result).toMatchObject({ timedOut: true, exitCode: null });
  });

  it('has no network interface but loopback', async () => {
    // /proc/net/dev lists the interfaces of the command's own network namespace.
    const result = await runSandboxedCommand("tail -n +3 /proc/net/dev | grep -vc 'lo:' || true", workspace.root, 5_000);
    expect(result.output.trim()).toBe('0');
  });

  it('snapshots a workspace to bytes and restores it elsewhere', async () => {
    await workspace.write('src/a.js', 'A');
    await workspace.write('test/a.test.js', 'T');
    const copy = await Workspace.create('sandbox-copy');
    try {
      await copy.restore(decodeSnapshot(encodeSnapshot(await workspace.snapshot())));
      expect(await copy.snapshot()).toEqual(await workspace.snapshot());
    } finally {
      await copy.dispose();
    }
  });
});
