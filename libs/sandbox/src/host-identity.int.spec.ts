import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { handOver } from './host-identity';
import { runSandboxedCommand, Workspace } from './index';

const asRoot = process.getuid?.() === 0 ? describe : describe.skip;

/** A node one-liner (inside double quotes) swapping dir/sub for a link to `outside`/victim and back for four seconds. */
function swapLoop(outside: string): string {
  return `const fs = require('fs'); const end = Date.now() + 4000; while (Date.now() < end) { try { fs.renameSync('dir/sub', 'dir/real'); fs.symlinkSync('${outside}/victim', 'dir/sub'); fs.unlinkSync('dir/sub'); fs.renameSync('dir/real', 'dir/sub'); } catch {} }`;
}

/** A command racing the hand-over of its workspace to the next command's host uid. */
asRoot('handing a workspace over to a command', () => {
  let workspace: Workspace;
  let outside: string;
  beforeEach(async () => {
    workspace = await Workspace.create('hand-over');
    outside = await mkdtemp(path.join(tmpdir(), 'loopwright-outside-'));
  });
  afterEach(async () => {
    await workspace.dispose();
    await rm(outside, { recursive: true, force: true });
  });

  it('never gives away a file outside the workspace, even while a directory is swapped for a link to it', async () => {
    await mkdir(path.join(outside, 'victim'));
    await writeFile(path.join(outside, 'victim', 'secret'), 'root only');
    // While the host hands the workspace over, the command keeps swapping dir/sub for a link to the victim directory.
    const swapping = runSandboxedCommand(
      // dir is world-writable, so the command may still rename in it once it belongs to the next uid.
      `mkdir -p dir/sub/a dir/sub/b dir/sub/c && chmod 777 . dir && touch ready && node -e "${swapLoop(outside)}"; echo done`,
      workspace.root,
      { wallTimeMs: 10_000, hostUid: 714_000_000 + (process.pid % 1000) },
    );
    const identity = { uid: 715_000_000 + (process.pid % 1000), gid: 715_000_000 + (process.pid % 1000) };
    let ended = false;
    swapping.then(
      () => (ended = true),
      () => (ended = true),
    );
    while (!ended && !existsSync(path.join(workspace.root, 'ready'))) await new Promise((r) => setTimeout(r, 20));
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) await handOver(workspace.root, identity).catch(() => undefined);
    expect((await swapping).output).toMatch(/done/);
    for (const p of ['victim', 'victim/secret']) expect((await stat(path.join(outside, p))).uid).toBe(0);
  });
});

asRoot('host identities of services in containers', () => {
  it('differ between two services that are each process 1 of their own PID namespace, as in two containers', () => {
    // Same pid, same uids in the same order: one service's fork bomb would use up the other's process limit.
    const identityIn = () =>
      spawnSync('unshare', ['--pid', '--fork', process.execPath, '-r', '@swc-node/register', '-e', IDENTITY_SCRIPT], { encoding: 'utf8', cwd: process.cwd() });
    const [first, second] = [identityIn(), identityIn()].map((r) => JSON.parse(r.stdout));
    expect(first.pid).toBe(1);
    expect(second.pid).toBe(1);
    expect(first.uid).not.toBe(second.uid);
  });
});

const IDENTITY_SCRIPT = `const { hostIdentityFor } = require(${JSON.stringify(path.join(__dirname, 'host-identity'))});
console.log(JSON.stringify({ pid: process.pid, uid: hostIdentityFor().uid }));`;

