import { randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A memory cgroup holding one command: its process tree and the tmpfs pages it writes are charged to it. */
export interface CommandCgroup {
  /** Moves a process (before it starts any other) into the cgroup. */
  enter(pid: number): Promise<void>;
  /** Removes the cgroup once its processes are gone. */
  release(): Promise<void>;
}

interface Hierarchy {
  /** This process's own cgroup, where the command cgroups are made. */
  dir: string;
  /** The file that sets a cgroup's memory limit: cgroup v1 and v2 name it differently. */
  limitFile: string;
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * Where this process's memory cgroup is, from /proc/self/cgroup: the v1 `memory` hierarchy, or
 * the unified v2 one when it has the memory controller enabled for its children.
 */
export function memoryHierarchy(procSelfCgroup: string): { relative: string; version: 1 | 2 } | undefined {
  const lines = procSelfCgroup.split('\n').map((line) => line.split(':'));
  const v1 = lines.find(([, controllers]) => controllers?.split(',').includes('memory'));
  if (v1) return { relative: path.join('memory', v1.slice(2).join(':')), version: 1 };
  const v2 = lines.find(([id, controllers]) => id === '0' && controllers === '');
  return v2 ? { relative: v2.slice(2).join(':'), version: 2 } : undefined;
}

let hierarchy: Promise<Hierarchy | undefined> | undefined;

async function findHierarchy(): Promise<Hierarchy | undefined> {
  const found = memoryHierarchy(await readFile('/proc/self/cgroup', 'utf8').catch(() => ''));
  if (!found) return undefined;
  const dir = path.join(CGROUP_ROOT, found.relative);
  if (found.version === 2) {
    const enabled = await readFile(path.join(dir, 'cgroup.subtree_control'), 'utf8').catch(() => '');
    if (!enabled.split(/\s+/).includes('memory')) return undefined;
  }
  const limitFile = found.version === 1 ? 'memory.limit_in_bytes' : 'memory.max';
  return access(path.join(dir, limitFile)).then(() => ({ dir, limitFile }), () => undefined);
}

/**
 * A cgroup of its own for one command, limited to `bytes`, or undefined where the host gives
 * the service no memory cgroup it may divide (a container without one, no right to write it).
 * Without it, processes each under RLIMIT_AS could still take the host's memory between them.
 */
export async function memoryCgroupFor(bytes: number): Promise<CommandCgroup | undefined> {
  hierarchy ??= findHierarchy();
  const found = await hierarchy;
  if (!found) return undefined;
  const dir = path.join(found.dir, `loopwright-${randomUUID()}`);
  try {
    await mkdir(dir);
  } catch {
    return undefined;
  }
  const release = () => removeWhenEmpty(dir);
  try {
    await writeFile(path.join(dir, found.limitFile), String(bytes));
  } catch {
    await release();
    return undefined;
  }
  return { enter: (pid) => writeFile(path.join(dir, 'cgroup.procs'), String(pid)), release };
}

/** rmdir fails while a killed process has not yet been reaped: tries a few times, then leaves the empty group. */
async function removeWhenEmpty(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
