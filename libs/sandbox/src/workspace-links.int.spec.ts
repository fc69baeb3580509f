import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '@loopwright/core';
import { createSandboxTools, decodeSnapshot, decodeSnapshotWithIrregular, encodeSnapshot, MAX_DELIVERED_TOTAL_BYTES, runSandboxedCommand, Workspace } from './index';

/** Links and special files a worker leaves in its workspace, then asks the file tools to use. */
describe('the workspace and its file tools, against links and special files', () => {
  let workspace: Workspace;
  let outside: string;
  const tools = () => createSandboxTools(workspace, { allowedPaths: ['src/**'], commandTimeoutMs: 5_000 });
  /** What the worker does with its own commands, from inside the sandbox. */
  const worker = async (command: string) => expect(await runSandboxedCommand(command, workspace.root, 5_000)).toMatchObject({ exitCode: 0 });

  beforeEach(async () => {
    workspace = await Workspace.create('links');
    outside = await mkdtemp(path.join(tmpdir(), 'loopwright-outside-'));
    await workspace.write('src/a.js', 'A');
  });
  afterEach(async () => {
    await workspace.dispose();
    await rm(outside, { recursive: true, force: true });
  });

  it('reports a file filled to the disk limit as oversized instead of carrying it in the snapshot', async () => {
    await worker('head -c 2000000 /dev/zero > src/big.bin');
    const { files, irregular } = await workspace.scan();
    expect(files.map((f) => f.path)).toEqual(['src/a.js']);
    expect(irregular).toEqual([{ path: 'src/big.bin', kind: 'oversized', bytes: 2_000_000 }]);
    expect(decodeSnapshotWithIrregular(encodeSnapshot(files, irregular)).irregular).toEqual(irregular);
  });

  it('delivers no more than its total budget from many sparse files that take no disk but would fill the host memory', async () => {
    // 40 files of 1 MB each, under the per-file cap, allocated nowhere: the workspace limit does not see them.
    await worker('truncate -s 1000000 src/sparse-{10..49}.bin && echo done');
    const { files, irregular } = await workspace.scan();
    const delivered = files.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0);
    expect(delivered).toBeLessThanOrEqual(MAX_DELIVERED_TOTAL_BYTES);
    expect(files.map((f) => f.path)).toContain('src/a.js');
    const left = irregular.filter((e) => e.kind === 'oversized');
    expect(files.length - 1 + left.length).toBe(40);
    expect(left.every((e) => e.bytes === 1_000_000)).toBe(true);
  });

  it('records names that are not UTF-8 or hold control characters, instead of failing the scan or spoofing a listing', async () => {
    await worker(String.raw`echo b > $'src/bad\xff.js' && echo c > $'src/two\nlines.js' && mkdir $'src/esc\e[31m' && echo d > $'src/esc\e[31m/x.js'`);
    const { files, irregular } = await workspace.scan();
    expect(files).toEqual([{ path: 'src/a.js', content: 'A' }]);
    expect(irregular).toEqual([
      { path: 'src/bad\ufffd.js', kind: 'other' },
      { path: 'src/esc\\x1b[31m', kind: 'other' },
      { path: 'src/two\\x0alines.js', kind: 'other' },
    ]);
    expect(await workspace.list()).toEqual(['src/a.js']);
  });

  it('never writes through `ln -s / src/escape`', async () => {
    await worker('ln -s / src/escape');
    const target = `src/escape${outside}/owned.txt`;
    const outcome = await tools().execute('write_file', { path: target, content: 'owned' });
    expect(outcome.refused).toMatch(/src\/escape.*symbolic link/);
    await expect(workspace.write(target, 'owned')).rejects.toBeInstanceOf(ValidationError);
    expect(existsSync(path.join(outside, 'owned.txt'))).toBe(false);
  });

  it('never reads or lists through `ln -s /etc/passwd src/p`, nor writes through a link to a file outside', async () => {
    // The write goes at a file of the test's own, so a failing defence harms nothing of the host.
    const victim = path.join(outside, 'victim.txt');
    await writeFile(victim, 'precious');
    await worker(`ln -s /etc/passwd src/p && ln -s ${victim} src/v`);
    const read = await tools().execute('read_file', { path: 'src/p' });
    const written = await tools().execute('write_file', { path: 'src/v', content: 'owned' });
    expect(read.refused).toMatch(/symbolic link/);
    expect(read.output).not.toMatch(/root:x:0:0/);
    expect(written.refused).toMatch(/symbolic link/);
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect((await tools().execute('list_files', {})).output.split('\n')).toEqual(['src/a.js']);
  });

  it('refuses links anywhere on the path, even ones that stay inside the workspace', async () => {
    await worker('ln -s src lib && ln -s a.js src/b.js');
    await expect(workspace.write('lib/x.js', 'x')).rejects.toThrow(/"lib".*symbolic link/);
    await expect(workspace.read('lib/a.js')).rejects.toThrow(/symbolic link/);
    await expect(workspace.read('src/b.js')).rejects.toThrow(/symbolic link/);
    await expect(workspace.list('lib')).rejects.toThrow(/symbolic link/);
    expect(await workspace.read('src/a.js')).toBe('A');
  });

  it('refuses a directory listing through `ln -s / src/escape`', async () => {
    await worker('ln -s / src/escape');
    const listed = await tools().execute('list_files', { path: 'src/escape' });
    expect(listed.refused).toMatch(/symbolic link/);
    expect(await workspace.list()).toEqual(['src/a.js']);
  });

  it('never writes through a hard link to a file outside the workspace', async () => {
    const victim = path.join(outside, 'victim.txt');
    await writeFile(victim, 'precious');
    await link(victim, path.join(workspace.root, 'src', 'h.txt'));
    await expect(workspace.write('src/h.txt', 'owned')).rejects.toThrow(/hard link/);
    await expect(workspace.read('src/h.txt')).rejects.toThrow(/hard link/);
    expect(await readFile(victim, 'utf8')).toBe('precious');
  });

  /** A command swapping src/d (a real directory) and src/l (a link to the host's directory) for 3 s, by renameat2(RENAME_EXCHANGE). */
  const swapping = () => `python3 -c "
import ctypes, os, time
os.symlink('${outside}', 'src/l')
libc = ctypes.CDLL(None, use_errno=True)
end = time.time() + 3
while time.time() < end:
    libc.syscall(316, -100, b'src/d', -100, b'src/l', 2)
"`;
  /** Calls `access` again and again for 3 s, and what each gave back: its text, or 'refused'. */
  const during = async (access: () => Promise<string>): Promise<Set<string>> => {
    const seen = new Set<string>();
    const started = Date.now();
    while (Date.now() - started < 3_000) seen.add(await access().catch(() => 'refused'));
    return seen;
  };

  it('never reads through a directory a running command swaps for a link while a file tool checks the path', async () => {
    await writeFile(path.join(outside, 'secret.txt'), 'HOST-SECRET');
    await workspace.write('src/d/secret.txt', 'inside');
    const tool = tools();
    const command = tool.execute('run_command', { command: swapping() });
    const seen = await during(async () => {
      const read = await tool.execute('read_file', { path: 'src/d/secret.txt' });
      return read.refused ? 'refused' : read.output;
    });
    await command;
    expect([...seen]).not.toContain('HOST-SECRET');
  });

  it('opens a file of the workspace by a walk no directory swapped for a link can divert, even while a command runs', async () => {
    await writeFile(path.join(outside, 'secret.txt'), 'HOST-SECRET');
    await workspace.write('src/d/secret.txt', 'inside');
    const command = runSandboxedCommand(swapping(), workspace.root, 5_000);
    const seen = await during(async () => {
      await workspace.write('src/d/new.txt', 'x').catch(() => undefined);
      return workspace.read('src/d/secret.txt');
    });
    // The guard may end a command whose swaps keep `du` from measuring; it swapped while the host read.
    await command;
    expect([...seen]).toContain('inside');
    expect([...seen]).not.toContain('HOST-SECRET');
    expect(existsSync(path.join(outside, 'new.txt'))).toBe(false);
  });

  it('refuses a fifo without hanging on it', async () => {
    await worker('mkfifo src/f');
    await expect(workspace.read('src/f')).rejects.toThrow(/not a regular file/);
    await expect(workspace.write('src/f', 'x')).rejects.toThrow(/not a regular file/);
  });

  it('scans regular files apart from links, hard links, fifos and sockets, and never descends a linked directory', async () => {
    await worker('ln -s / src/escape && ln -s /etc/passwd src/p && mkfifo src/f && ln src/a.js src/hard.js && mkdir -p deep && echo D > deep/d.txt');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(workspace.root, 'src', 's.sock'), resolve));
    try {
      const scan = await workspace.scan();
      expect(scan.files).toEqual([{ path: 'deep/d.txt', content: 'D\n' }]);
      expect(scan.irregular).toEqual([
        { path: 'src/a.js', kind: 'hardlink' },
        { path: 'src/escape', kind: 'symlink', target: '/' },
        { path: 'src/f', kind: 'fifo' },
        { path: 'src/hard.js', kind: 'hardlink' },
        { path: 'src/p', kind: 'symlink', target: '/etc/passwd' },
        { path: 'src/s.sock', kind: 'socket' },
      ]);
      expect(await workspace.snapshot()).toEqual(scan.files);
    } finally {
      server.close();
    }
  });

  it('stores irregular entries in the snapshot beside the files, and older readers still get the files', async () => {
    await worker('ln -s /etc/passwd src/p');
    const { files, irregular } = await workspace.scan();
    const bytes = encodeSnapshot(files, irregular);
    expect(decodeSnapshotWithIrregular(bytes)).toEqual({ files, irregular });
    expect(decodeSnapshot(bytes)).toEqual(files);
    expect(decodeSnapshotWithIrregular(encodeSnapshot(files))).toEqual({ files, irregular: [] });
    expect(() => decodeSnapshotWithIrregular(new TextEncoder().encode('{"files":[],"irregular":[{"path":"x","kind":"teleporter"}]}'))).toThrow(
      ValidationError,
    );
  });

  it('restores nothing from a snapshot with `..`, an absolute path, or a path through a link', async () => {
    const copy = await Workspace.create('links-copy');
    try {
      await expect(copy.restore([{ path: 'src/../../x.txt', content: 'x' }])).rejects.toThrow(/\.\./);
      await expect(copy.restore([{ path: 'src/../a.txt', content: 'x' }])).rejects.toThrow(/\.\./);
      await expect(copy.restore([{ path: path.join(outside, 'x.txt'), content: 'x' }])).rejects.toThrow(/absolute/);
      await expect(copy.restore([{ path: 'ok.txt', content: 'ok' }, { path: '/etc/x', content: 'x' }])).rejects.toThrow(/absolute/);
      expect(await copy.list()).toEqual([]);

      await mkdir(path.join(outside, 'target'));
      await symlink(path.join(outside, 'target'), path.join(copy.root, 'src'));
      await expect(copy.restore([{ path: 'src/a.js', content: 'owned' }])).rejects.toThrow(/symbolic link/);
      expect(existsSync(path.join(outside, 'target', 'a.js'))).toBe(false);
    } finally {
      await copy.dispose();
    }
  });
});
