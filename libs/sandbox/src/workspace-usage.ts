import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxLimits } from './sandbox-limits';

/** What a workspace holds on disk: bytes allocated (a sparse file counts what it really takes) and entries. */
export interface WorkspaceUsage {
  bytes: number;
  entries: number;
}

const GUARD_INTERVAL_MS = 200;

/** Why `usage` is over the limits, or undefined. */
export function usageProblem(usage: WorkspaceUsage, limits: Pick<SandboxLimits, 'workspaceBytes' | 'workspaceEntries'>): string | undefined {
  if (usage.bytes > limits.workspaceBytes) return `the workspace passed its limit of ${limits.workspaceBytes} bytes on disk`;
  if (usage.entries > limits.workspaceEntries) return `the workspace passed its limit of ${limits.workspaceEntries} entries`;
  return undefined;
}

/**
 * Walks `root` with lstat only (never through a link) and adds up what it holds, stopping as soon
 * as a limit is passed. Entries that vanish during the walk are skipped: a command may still be running.
 */
export async function measureWorkspace(root: string, limits: Pick<SandboxLimits, 'workspaceBytes' | 'workspaceEntries'>): Promise<WorkspaceUsage> {
  const usage: WorkspaceUsage = { bytes: 0, entries: 0 };
  const vanished = (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  };
  const pending = [root];
  while (pending.length > 0 && usageProblem(usage, limits) === undefined) {
    const dir = pending.pop()!;
    for (const name of (await readdir(dir).catch(vanished)) ?? []) {
      const full = path.join(dir, name);
      const stat = await lstat(full).catch(vanished);
      if (!stat) continue;
      usage.entries++;
      usage.bytes += stat.blocks * 512;
      if (stat.isDirectory()) pending.push(full);
      if (usageProblem(usage, limits) !== undefined) break;
    }
  }
  return usage;
}

/**
 * Measures `root` again and again while a command runs, and calls `onExceeded` once when it
 * passes a limit (the caller ends the command). `stop` measures a last time after the command
 * ended, so a fill between two measures is still reported, and says why it was over, if it was.
 */
export function guardWorkspace(root: string, limits: SandboxLimits, onExceeded: (why: string) => void): { stop(): Promise<string | undefined> } {
  let running = true;
  let exceeded: string | undefined;
  const check = async () => {
    exceeded ??= await measureWorkspace(root, limits).then(
      (usage) => usageProblem(usage, limits),
      (error: Error) => `the workspace could not be measured (${error.message})`,
    );
  };
  const loop = (async () => {
    while (running && exceeded === undefined) {
      await check();
      if (exceeded !== undefined) onExceeded(exceeded);
      else await new Promise((resolve) => setTimeout(resolve, GUARD_INTERVAL_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await check();
      return exceeded;
    },
  };
}
