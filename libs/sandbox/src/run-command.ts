import { execFile, spawn, SpawnOptions } from 'node:child_process';
import { constants as fsConstants, readFileSync } from 'node:fs';
import { access, lstat, readlink } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { SandboxUnavailableError } from '@loopwright/core';
import {
  CLOSE_INHERITED_FDS,
  guardedNodeOptions,
  SANDBOX_INPUTS,
  sandboxArguments,
  SystemEntry,
  SYSTEM_PATHS,
  TRUSTED_PATH,
} from './bwrap-arguments';
import { CappedOutput } from './capped-output';
import { handOver, HostIdentity, hostIdentityFor } from './host-identity';
import { CommandCgroup, memoryCgroupFor } from './memory-cgroup';
import { realDirectory, relativeSegments } from './safe-path';
import { resolveLimits, SandboxLimits } from './sandbox-limits';
import { guardWorkspace, measureWorkspace, WorkspaceUsage } from './workspace-usage';

export interface CommandResult {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
  /** Output went past the cap; the rest was dropped and a marker ends `output`. */
  outputTruncated: boolean;
  durationMs: number;
  /** Why the command was ended, or would have been, for what it left in the workspace (SandboxLimits.workspaceBytes, workspaceEntries). */
  workspaceExceeded?: string;
  /** How the command was confined: 'none' only when the operator allowed unsandboxed commands. */
  isolation: 'bubblewrap' | 'none';
}

export interface SandboxOptions extends Partial<SandboxLimits> {
  /** The bwrap binary; by default the first found on the trusted PATH. */
  bwrapPath?: string;
  /** Run without isolation where bubblewrap is unusable; default: LOOPWRIGHT_UNSAFE_NO_SANDBOX=1. */
  allowUnsafe?: boolean;
  /** The host uid to run as (root only); by default each command gets one of its own. */
  hostUid?: number;
  /**
   * Load the test process guard (test-process-guard.cjs) into every node process of the command:
   * for runs whose exit status is a verdict on the code under test, which then cannot decide it.
   */
  guardNode?: boolean;
  /**
   * Workspace-relative paths mounted read-only for the command (the tests a re-run runs): code under
   * test cannot rewrite what a later test process loads. Only under bubblewrap.
   */
  readOnlyPaths?: readonly string[];
}

/** The test process guard on the host: read-only inside the sandbox, required from here without one. */
export const TEST_PROCESS_GUARD = path.join(__dirname, 'test-process-guard.cjs');
let guardSource: string | undefined;

export const UNSAFE_FLAG = 'LOOPWRIGHT_UNSAFE_NO_SANDBOX';

/** The environment an unsandboxed command sees: nothing of the parent's (no keys, no tokens). */
export function scrubbedEnv(home: string, guardNode = false): NodeJS.ProcessEnv {
  return { PATH: TRUSTED_PATH, HOME: home, LANG: 'C.UTF-8', TMPDIR: home, NODE_OPTIONS: guardNode ? guardedNodeOptions(TEST_PROCESS_GUARD) : '' };
}

/**
 * Runs a shell command over the workspace `cwd` inside a bubblewrap sandbox: the workspace is
 * the only writable place (at SANDBOX_WORKSPACE), the system is read-only, no other process,
 * socket, network or host file is visible, the uid is unprivileged and PATH is fixed; time,
 * CPU, memory, processes, file size and output are limited (defaults: DEFAULT_SANDBOX_LIMITS).
 * A bare number as third argument is the wall-time limit in ms.
 *
 * Where bubblewrap cannot run, it throws SandboxUnavailableError, unless unsafe runs are
 * allowed: then the command runs with a scrubbed environment, the time, output, workspace and
 * total memory limits only (no namespace: it can read what its uid can, reach the network, see other
 * processes), as a uid of its own whose processes are all killed when it ends where the service
 * is root, and the result says `isolation: 'none'`.
 */
export async function runSandboxedCommand(command: string, cwd: string, timeoutMsOrOptions: number | SandboxOptions = {}): Promise<CommandResult> {
  const options: SandboxOptions = typeof timeoutMsOrOptions === 'number' ? { wallTimeMs: timeoutMsOrOptions } : timeoutMsOrOptions;
  const limits = resolveLimits(options);
  const bwrapPath = options.bwrapPath ?? (await findTrusted('bwrap')) ?? '/usr/bin/bwrap';
  const problem = await sandboxProblem(bwrapPath);
  if (problem !== undefined) {
    if (!(options.allowUnsafe ?? process.env[UNSAFE_FLAG] === '1')) {
      throw new SandboxUnavailableError(
        `commands are refused because they cannot be sandboxed: ${problem}. ` +
          `Install bubblewrap (apt-get install -y bubblewrap), or set ${UNSAFE_FLAG}=1 to run them without isolation (unsafe).`,
      );
    }
    // Root still hands the command a uid of its own: it does not run as root, and whatever it
    // leaves running (setsid, nohup) is found by that uid and killed when it ends.
    const identity = hostIdentityFor(options.hostUid);
    if (identity) await handOver(cwd, identity);
    const spawnOptions = { cwd, env: scrubbedEnv(cwd, options.guardNode), ...(identity ? { uid: identity.uid, gid: identity.gid } : {}) };
    const cgroup = await memoryCgroupFor(limits.totalMemoryBytes);
    try {
      const result = await collect('bash', ['-c', CLOSE_INHERITED_FDS, '/bin/bash', command], spawnOptions, limits, [], { root: cwd, atStart: await measureWorkspace(cwd) }, cgroup);
      if (identity) await killEverythingOf(identity);
      return { ...result, isolation: 'none' };
    } finally {
      await cgroup?.release();
    }
  }
  const identity = hostIdentityFor(options.hostUid);
  if (identity) await handOver(cwd, identity);
  const guardNode = options.guardNode ?? false;
  const readOnly = await readOnlyMounts(cwd, options.readOnlyPaths ?? []);
  const args = sandboxArguments(bwrapPath, { workspace: cwd, system: await systemEntries(), limits, command, guardNode, readOnly });
  const workspace = { root: cwd, atStart: await measureWorkspace(cwd) };
  const inputs = guardNode ? [...SANDBOX_INPUTS, (guardSource ??= readFileSync(TEST_PROCESS_GUARD, 'utf8'))] : SANDBOX_INPUTS;
  const cgroup = await memoryCgroupFor(limits.totalMemoryBytes);
  try {
    return { ...(await collect('prlimit', args, spawnIdentity(identity), limits, inputs, workspace, cgroup)), isolation: 'bubblewrap' };
  } finally {
    await cgroup?.release();
  }
}

/** kill(-1) as the uid itself signals every process of that uid, and none of anyone else's. */
function killEverythingOf(identity: HostIdentity): Promise<void> {
  return new Promise((resolve) => {
    execFile('/bin/bash', ['-c', 'kill -KILL -1'], { env: { PATH: TRUSTED_PATH }, uid: identity.uid, gid: identity.gid }, () => resolve());
  });
}

/** The paths of `wanted` that are in the workspace as themselves: no link on the way, nothing outside it. */
async function readOnlyMounts(root: string, wanted: readonly string[]): Promise<string[]> {
  const mounts: string[] = [];
  for (const relative of wanted) {
    const segments = relativeSegments(relative);
    if (segments.length === 0) continue;
    const parent = await realDirectory(root, segments.slice(0, -1), false).catch(() => undefined);
    const stat = parent === undefined ? undefined : await lstat(path.join(parent, segments.at(-1)!)).catch(() => undefined);
    if (stat && !stat.isSymbolicLink()) mounts.push(segments.join('/'));
  }
  return mounts;
}

const problems = new Map<string, Promise<string | undefined>>();

/** Why bubblewrap cannot sandbox a command here (checked once per binary), or undefined. */
function sandboxProblem(bwrapPath: string): Promise<string | undefined> {
  let problem = problems.get(bwrapPath);
  if (!problem) {
    problem = probe(bwrapPath);
    problems.set(bwrapPath, problem);
  }
  return problem;
}

async function probe(bwrapPath: string): Promise<string | undefined> {
  try {
    await access(bwrapPath, fsConstants.X_OK);
  } catch {
    return `no bubblewrap executable at ${bwrapPath}`;
  }
  const args = sandboxArguments(bwrapPath, { workspace: null, system: await systemEntries(), limits: resolveLimits({ wallTimeMs: 10_000 }), command: 'true' });
  const result = await collect('prlimit', args, spawnIdentity(hostIdentityFor()), resolveLimits({ wallTimeMs: 10_000 }), SANDBOX_INPUTS);
  return result.exitCode === 0 ? undefined : `bubblewrap failed to start its namespaces (${result.output.trim() || `exit code ${result.exitCode}`})`;
}

function spawnIdentity(identity: HostIdentity | undefined): SpawnOptions {
  return { cwd: '/', env: { PATH: TRUSTED_PATH }, ...(identity ? { uid: identity.uid, gid: identity.gid } : {}) };
}

async function findTrusted(name: string): Promise<string | undefined> {
  for (const dir of TRUSTED_PATH.split(':')) {
    const candidate = path.join(dir, name);
    if (await access(candidate, fsConstants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

let system: Promise<SystemEntry[]> | undefined;

/** The host's system paths as they are (directories or links), read once. */
function systemEntries(): Promise<SystemEntry[]> {
  system ??= Promise.all(
    SYSTEM_PATHS.map(async (p): Promise<SystemEntry | undefined> => {
      const stat = await lstat(p).catch(() => undefined);
      if (stat?.isSymbolicLink()) return { path: p, symlinkTo: await readlink(p) };
      return stat?.isDirectory() ? { path: p } : undefined;
    }),
  ).then((entries) => entries.filter((e): e is SystemEntry => e !== undefined));
  return system;
}

/**
 * Spawns `file` in a process group of its own, hands `inputs` to it on fds 3, 4, …, keeps its
 * output up to the cap and kills the group at the wall-time limit, or when the `workspace` it
 * writes passes its disk or entry limit. With a `cgroup`, a shell waits on stdin until the process
 * is in it, so nothing the command starts runs outside.
 */
function collect(
  file: string,
  args: string[],
  spawnOptions: SpawnOptions,
  limits: SandboxLimits,
  inputs: readonly (string | Buffer)[] = [],
  workspace?: { root: string; atStart: WorkspaceUsage },
  cgroup?: CommandCgroup,
): Promise<Omit<CommandResult, 'isolation'>> {
  const started = Date.now();
  return new Promise((resolve) => {
    const [spawned, spawnedArgs] = cgroup ? ['/bin/sh', ['-c', 'read -r go && exec "$@" </dev/null', 'sh', file, ...args]] : [file, args];
    const stdin = cgroup ? 'pipe' : 'ignore';
    const child = spawn(spawned, spawnedArgs, { ...spawnOptions, stdio: [stdin, 'pipe', 'pipe', ...inputs.map(() => 'pipe' as const)], detached: true });
    inputs.forEach((input, i) => {
      const stream = child.stdio[3 + i] as NodeJS.WritableStream & { on(event: 'error', listener: () => void): void };
      stream.on('error', () => undefined);
      stream.end(input);
    });
    const output = new CappedOutput(limits.outputBytes);
    let timedOut = false;
    child.stdout!.on('data', (chunk: Buffer) => output.append(chunk));
    child.stderr!.on('data', (chunk: Buffer) => output.append(chunk));
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, limits.wallTimeMs);
    if (cgroup && child.pid !== undefined) {
      child.stdin!.on('error', () => undefined);
      cgroup.enter(child.pid).then(
        () => child.stdin!.end('go\n'),
        (error: Error) => {
          killGroup();
          void finish(null, `the command was not started: it could not be put in its memory cgroup (${error.message})`);
        },
      );
    }
    let stoppedByGuard = false;
    const guard = workspace === undefined ? undefined : guardWorkspace(workspace.root, limits, workspace.atStart, () => {
      stoppedByGuard = true;
      killGroup();
    });
    let finished = false;
    const finish = async (exitCode: number | null, extra = '') => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const exceeded = await guard?.stop();
      const text = output.text() + extra;
      const ended = timedOut ? `\n[killed after ${limits.wallTimeMs} ms]` : stoppedByGuard ? `\n[killed: ${exceeded}]` : exceeded ? `\n[${exceeded}]` : '';
      resolve({
        exitCode: timedOut || stoppedByGuard ? null : exitCode,
        output: text + ended,
        timedOut,
        outputTruncated: output.truncated,
        durationMs: Date.now() - started,
        ...(exceeded ? { workspaceExceeded: exceeded } : {}),
      });
    };
    child.on('close', (code, signal) => void finish(code ?? (signal ? 128 + osConstants.signals[signal] : null)));
    child.on('error', (error) => void finish(127, error.message));
  });
}
