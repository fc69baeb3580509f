/** What one sandboxed command may use. Each limit ends the command (or drops output) when reached. */
export interface SandboxLimits {
  /** Wall-clock time; at the limit the whole process tree is killed and the result says timedOut. */
  wallTimeMs: number;
  /** CPU seconds per process (RLIMIT_CPU). */
  cpuSeconds: number;
  /** Address space per process (RLIMIT_AS); also the size of the sandbox's /tmp. */
  memoryBytes: number;
  /**
   * Memory the command's processes and its /tmp hold together (a memory cgroup of its own, where
   * the host lets the service make one; elsewhere only the per-process limit holds).
   */
  totalMemoryBytes: number;
  /** Processes the command may run at once (RLIMIT_NPROC of its host uid). */
  processes: number;
  /** Largest file the command may write (RLIMIT_FSIZE); also the size of the sandbox's /dev/shm. */
  fileSizeBytes: number;
  /** Disk the workspace may take (allocated blocks); a command that passes it is ended. */
  workspaceBytes: number;
  /** Files, directories and other entries the workspace may hold; a command that passes it is ended. */
  workspaceEntries: number;
  /** Output kept (stdout and stderr interleaved); the rest is dropped and a marker says so. */
  outputBytes: number;
}

/** Enough to run a project's test suite. */
export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  wallTimeMs: 60_000,
  cpuSeconds: 60,
  memoryBytes: 2 ** 30,
  totalMemoryBytes: 4 * 2 ** 30,
  processes: 256,
  fileSizeBytes: 64 * 2 ** 20,
  workspaceBytes: 2 ** 30,
  workspaceEntries: 100_000,
  outputBytes: 64 * 2 ** 10,
});

/** The limits with overrides applied; every limit must be a positive integer. */
export function resolveLimits(overrides: Partial<SandboxLimits>): SandboxLimits {
  const limits = { ...DEFAULT_SANDBOX_LIMITS };
  for (const key of Object.keys(limits) as (keyof SandboxLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value <= 0) {
      throw new RangeError(`sandbox limit ${key} must be a positive integer, got ${value}`);
    }
    limits[key] = value;
  }
  return limits;
}
