import { execFile } from 'node:child_process';
import { TRUSTED_PATH } from './bwrap-arguments';
import type { SandboxLimits } from './sandbox-limits';

/** What a workspace holds on disk: bytes allocated (a sparse file counts what it really takes) and entries. */
export interface WorkspaceUsage {
  bytes: number;
  entries: number;
}

type WorkspaceLimits = Pick<SandboxLimits, 'workspaceBytes' | 'workspaceEntries'>;

const GUARD_INTERVAL_MS = 200;

/**
 * Why `usage` is over the limits, or undefined. A workspace that was already over them when the
 * command started (the one before filled it) is held where it stood, so a command can still clean it up.
 */
export function usageProblem(usage: WorkspaceUsage, limits: WorkspaceLimits, atStart: WorkspaceUsage = { bytes: 0, entries: 0 }): string | undefined {
  if (usage.bytes > Math.max(limits.workspaceBytes, atStart.bytes)) return `the workspace passed its limit of ${limits.workspaceBytes} bytes on disk`;
  if (usage.entries > Math.max(limits.workspaceEntries, atStart.entries)) return `the workspace passed its limit of ${limits.workspaceEntries} entries`;
  return undefined;
}

/**
 * What `root` holds, by `du`: it walks by file descriptor, never through a link nor onto another
 * file system, and reaches a tree nested past the longest path the host can name. Entries that
 * vanish while it walks (the command may still run) make it complain but still report the rest.
 */
export async function measureWorkspace(root: string): Promise<WorkspaceUsage> {
  const [bytes, entries] = await Promise.all([du(['-B1'], root), du(['--inodes'], root)]);
  // du counts the workspace directory itself among the entries.
  return { bytes, entries: entries - 1 };
}

function du(unit: string[], root: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('du', ['-s', '-x', '-P', ...unit, '--', root], { env: { PATH: TRUSTED_PATH } }, (error, stdout) => {
      const total = Number(stdout.toString().split('\t')[0]);
      if (stdout.toString().trim() !== '' && Number.isFinite(total)) resolve(total);
      else reject(new Error(`du could not measure the workspace: ${error?.message ?? 'no total'}`));
    });
  });
}

/** A measure that tries again when `du` lost its way in entries renamed under it: a command that keeps that up is ended. */
async function measureSettled(root: string, attempts = 5): Promise<WorkspaceUsage> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measureWorkspace(root);
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

/**
 * Measures `root` again and again while a command runs, and calls `onExceeded` once when it
 * passes a limit (the caller ends the command). `stop` measures a last time after the command
 * ended, so a fill between two measures is still reported, and says why it was over, if it was.
 */
export function guardWorkspace(root: string, limits: SandboxLimits, atStart: WorkspaceUsage, onExceeded: (why: string) => void): { stop(): Promise<string | undefined> } {
  let running = true;
  let exceeded: string | undefined;
  const check = async () => {
    exceeded ??= await measureSettled(root).then(
      (usage) => usageProblem(usage, limits, atStart),
      (error: Error) => error.message,
    );
  };
  // The caller measured the start: the first measure waits one interval, so a short command pays
  // for no measure while it runs (two `du` each time), only for the one after it ends.
  let wake: (() => void) | undefined;
  const pause = () => new Promise<void>((resolve) => {
    wake = resolve;
    setTimeout(resolve, GUARD_INTERVAL_MS);
  });
  const loop = (async () => {
    for (await pause(); running && exceeded === undefined; await pause()) {
      await check();
      if (exceeded !== undefined) onExceeded(exceeded);
    }
  })();
  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
      await check();
      return exceeded;
    },
  };
}
