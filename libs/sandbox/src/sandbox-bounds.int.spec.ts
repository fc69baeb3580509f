import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runSandboxedCommand, Workspace } from './index';

/** A hostile command trying to outgrow its bounds: memory-backed files, the disk, processes that outlive it, output. */
describe('a sandboxed command against its bounds', () => {
  let workspace: Workspace;
  beforeEach(async () => {
    workspace = await Workspace.create('sandbox-bounds');
  });
  afterEach(() => workspace.dispose());

  const run = (command: string, options = {}) => runSandboxedCommand(command, workspace.root, { wallTimeMs: 20_000, ...options });

  it('finds no memory-backed place to fill beyond /tmp: the root and /dev are read-only, /dev/shm is small', async () => {
    // Each file stays under the file-size limit, so only the size of the place can stop them.
    const fill = (dir: string) => `mkdir -p ${dir}; for i in 1 2 3 4 5 6; do head -c 2000000 /dev/zero > ${dir}/f$i || break; done; du -sk ${dir} | cut -f1`;
    const result = await run(['/fill', '/dev/fill', '/dev/shm'].map(fill).join('; '), { fileSizeBytes: 4_000_000 });
    const kilobytes = result.output.split('\n').filter((line) => /^\d+$/.test(line)).map(Number);
    expect(result.output).toMatch(/Read-only file system/);
    // Whatever exists of the three places holds less than the 12 MB written at each.
    for (const kb of kilobytes) expect(kb).toBeLessThan(4_100);
  });

  it.each([
    ['in bubblewrap', {}],
    ['unsandboxed', { bwrapPath: '/nonexistent/bwrap', allowUnsafe: true }],
  ])('holds the memory of all its processes together to one total, %s: many processes each under the per-process limit', async (_how, how) => {
    // Each process holds 60 MB, well under its own address-space limit; eight of them hold 480 MB.
    // Each holds for 3 s and they start within 2.4 s: those that end on their own all held at once.
    // Which of them the limit stops depends on how the machine schedules them, so the one that shows
    // a process fits the total runs alone afterwards.
    const hold = (word: string) => `node -e "const b = Buffer.alloc(60 << 20, 1); setTimeout(() => console.log('${word} ' + b[0]), 3000)"`;
    const result = await run(`for i in $(seq 1 8); do ${hold('released')} & sleep 0.3; done; wait; ${hold('alone')}; echo done`, {
      ...how, totalMemoryBytes: 160 * 2 ** 20, wallTimeMs: 30_000,
    });
    const held = result.output.split('\n').filter((line) => line === 'released 1').length;
    expect(result.output).toMatch(/^alone 1\ndone$/m);
    expect(held).toBeLessThan(4);
  });

  it('stops a command filling the workspace disk with many files each under the file-size limit', async () => {
    const result = await run('for i in $(seq 1 300); do head -c 1000000 /dev/zero > f$i; done; echo survived', { workspaceBytes: 8_000_000 });
    expect(result.output).not.toMatch(/survived/);
    expect(result.workspaceExceeded).toMatch(/8000000 bytes/);
    expect(result.exitCode).toBeNull();
    // Stopped before it wrote its 300 MB. How far past the limit it got depends on how fast the disk
    // takes writes between two measures (a quiet machine reached 63 MB): without a quota the overshoot has no fixed bound.
    expect(diskUsageBytes(workspace.root)).toBeLessThan(300_000_000);
    // The next command may not add to a workspace over its limit, but may clean it up.
    const more = await run('head -c 1000000 /dev/zero > more; sleep 2; echo survived', { workspaceBytes: 8_000_000 });
    expect(more).toMatchObject({ exitCode: null, workspaceExceeded: expect.stringMatching(/8000000 bytes/) });
    expect(await run('rm f* more && echo cleaned', { workspaceBytes: 8_000_000 })).toMatchObject({ exitCode: 0, output: 'cleaned\n' });
  });

  it('allocates no disk past the file-size limit by preallocation, which takes no time and would outrun the disk guard', async () => {
    // Kept-size preallocation passes RLIMIT_FSIZE; plain preallocation under it fills 40 files at once.
    const command = 'touch kept; fallocate -n -l 200000000 kept; for i in $(seq 1 40); do fallocate -l 900000 f$i; done; ls | wc -l; echo done';
    const result = await run(command, { fileSizeBytes: 1_000_000, workspaceBytes: 8_000_000 });
    expect(diskUsageBytes(workspace.root)).toBeLessThan(1_000_000);
    expect(result.output).toMatch(/Operation not supported/);
    expect(result).toMatchObject({ exitCode: 0, output: expect.stringMatching(/^41\ndone\n$/m) });
    expect(result.workspaceExceeded).toBeUndefined();
  });

  it('stops a command creating inodes without end', async () => {
    const result = await run('mkdir d; cd d; for i in $(seq 1 200); do touch $(seq -f "$i-%g" 1 500); done; echo survived', { workspaceEntries: 2_000 });
    expect(result.output).not.toMatch(/survived/);
    expect(result.workspaceExceeded).toMatch(/2000 entries/);
    expect(Number(spawnSync('sh', ['-c', `find ${workspace.root} | wc -l`], { encoding: 'utf8' }).stdout)).toBeLessThan(40_000);
  });

  it('leaves a tree nested deeper than the host can name usable: the next command runs, the scan reports it, dispose removes it', async () => {
    const deep = 'node -e "const fs = require(\'fs\'); for (let i = 0; i < 3000; i++) { fs.mkdirSync(\'dd\'); process.chdir(\'dd\'); } fs.writeFileSync(\'bottom.txt\', \'x\')"';
    const made = await run(`echo top > top.txt; ${deep}`);
    expect(made.exitCode).toBe(0);
    expect(await run('echo next')).toMatchObject({ exitCode: 0, output: 'next\n' });
    const { files, irregular } = await workspace.scan();
    expect(files).toEqual([{ path: 'top.txt', content: 'top\n' }]);
    expect(irregular).toHaveLength(1);
    expect(irregular[0]).toMatchObject({ kind: 'other', path: expect.stringMatching(/^(dd\/)+dd$/) });
    await workspace.dispose();
    expect(existsSync(workspace.root)).toBe(false);
  });

  it('lets a sparse file stand at its allocated size, not its apparent size', async () => {
    const result = await run('truncate -s 60000000 sparse.bin && echo done', { workspaceBytes: 8_000_000 });
    expect(result).toMatchObject({ exitCode: 0, output: 'done\n' });
    expect(result.workspaceExceeded).toBeUndefined();
  });

  it('leaves no process behind that double-forked, changed session, or ignores SIGTERM and SIGHUP', async () => {
    const hostUid = 712_000_000 + (process.pid % 1000);
    const command =
      'setsid sleep 30 >/dev/null 2>&1 < /dev/null & nohup sleep 30 >/dev/null 2>&1 & ( ( trap "" TERM HUP INT; exec sleep 30 ) & ) ; ' +
      'bash -c "trap \\"\\" TERM HUP; while :; do sleep 1; done" >/dev/null 2>&1 & disown -a; echo started';
    const result = await run(command, { hostUid });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, output: 'started\n' });
    await new Promise((r) => setTimeout(r, 200));
    expect(processesOf(hostUid)).toBe(0);
  });

  it('ends a command that closed its output and keeps running, at the time limit, with nothing left', async () => {
    const hostUid = 713_000_000 + (process.pid % 1000);
    const result = await run('exec >&- 2>&-; sleep 30', { hostUid, wallTimeMs: 500 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null });
    await new Promise((r) => setTimeout(r, 200));
    expect(processesOf(hostUid)).toBe(0);
  });

  it('shows NUL, terminal escapes and other control bytes in its output as visible escapes', async () => {
    const result = await run(String.raw`printf 'a\0b\033[2J\033]0;title\007\r\xc2\x9b31m\tc\nd\n'`);
    expect(result.output).toBe('a\\x00b\\x1b[2J\\x1b]0;title\\x07\\x0d\\x9b31m\tc\nd\n');
    expect(result.output).not.toMatch(/[\0-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  it('keeps invalid UTF-8 and an enormous single line within the cap', async () => {
    const result = await run(String.raw`printf '\xff\xfe\xc3'; head -c 5000000 /dev/zero | tr '\0' x`, { outputBytes: 4_096 });
    expect(result.outputTruncated).toBe(true);
    expect(result.output.startsWith('\ufffd\ufffd\ufffd')).toBe(true);
    expect(Buffer.byteLength(result.output)).toBeLessThan(4_096 + 200);
  });
});

function diskUsageBytes(dir: string): number {
  return Number(spawnSync('du', ['-sk', dir], { encoding: 'utf8' }).stdout.split('\t')[0]) * 1024;
}

/** Live processes of a host uid (a zombie has ended; it only waits for the host's init to reap it). */
function processesOf(uid: number): number {
  const result = spawnSync('ps', ['-o', 'stat=', '-u', String(uid)], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((stat) => stat.trim() !== '' && !stat.startsWith('Z')).length;
}
