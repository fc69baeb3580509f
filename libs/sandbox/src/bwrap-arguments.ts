import type { SandboxLimits } from './sandbox-limits';
import { SANDBOX_SECCOMP } from './seccomp-filter';

/** Where the workspace is mounted inside the sandbox, and the command's working directory. */
export const SANDBOX_WORKSPACE = '/workspace';
/** The only PATH a sandboxed command starts with; the workspace is never on it. */
export const TRUSTED_PATH = '/usr/local/bin:/usr/bin:/bin';
/** HOME and TMPDIR: the sandbox's own tmpfs, gone when the command ends. */
export const SANDBOX_HOME = '/tmp';
/** The unprivileged uid and gid the command has inside. */
export const SANDBOX_ID = 1000;

/** A top-level system path of the host as it is: a directory, or a link (e.g. /bin -> usr/bin). */
export interface SystemEntry {
  path: string;
  symlinkTo?: string;
}

/** Host top-level paths a command may need, shown read-only when they exist. */
export const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'] as const;
/** The few /etc entries the dynamic loader and `update-alternatives` links need; nothing else of /etc. */
export const ETC_PATHS = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime'] as const;

/** Files of the fresh /proc that still tell which machine and boot this is; hidden under /dev/null. */
export const HOST_IDENTITY_IN_PROC = ['/proc/cmdline', '/proc/sys/kernel/random/boot_id'] as const;

/** File descriptors through which the sandbox's /etc/passwd and /etc/group are handed to bwrap. */
export const PASSWD_FD = 3;
export const GROUP_FD = 4;
export const SANDBOX_PASSWD = `sandbox:x:${SANDBOX_ID}:${SANDBOX_ID}:sandbox:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`;
export const SANDBOX_GROUP = `sandbox:x:${SANDBOX_ID}:\nnogroup:x:65534:\n`;
/** File descriptor through which the seccomp filter (see seccomp-filter.ts) is handed to bwrap. */
export const SECCOMP_FD = 5;
/** What bwrap reads on fds 3, 4 and 5, in that order. */
export const SANDBOX_INPUTS: readonly (string | Buffer)[] = [SANDBOX_PASSWD, SANDBOX_GROUP, SANDBOX_SECCOMP];
/** The file descriptor through which the test process guard is handed to bwrap, and where node finds it (read-only, outside the workspace). */
export const GUARD_FD = 6;
export const SANDBOX_GUARD_PATH = '/run/loopwright/test-process-guard.cjs';

/** NODE_OPTIONS that load the guard at `guardPath` into every node process, before any code of the workspace. */
export function guardedNodeOptions(guardPath: string): string {
  return `--require ${JSON.stringify(guardPath)}`;
}

/**
 * Run first inside the sandbox: closes every file descriptor but 0, 1 and 2, then runs the command
 * (its $1) in a fresh bash. A descriptor the service inherited open (a supervisor's log or pipe,
 * not close-on-exec) passes through prlimit and bwrap, and would let the command write outside.
 */
export const CLOSE_INHERITED_FDS =
  'for fd in /proc/self/fd/*; do fd=${fd##*/}; case $fd in 0|1|2) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac; done; exec /bin/bash -c "$1"';

export interface BwrapInvocation {
  /** The host directory mounted writable at SANDBOX_WORKSPACE; null mounts an empty tmpfs there. */
  workspace: string | null;
  system: readonly SystemEntry[];
  limits: SandboxLimits;
  command: string;
  /** Load the test process guard (handed in on GUARD_FD) into every node process of the command. */
  guardNode?: boolean;
  /** Workspace-relative paths mounted read-only over the writable workspace (checked by safeRelative). */
  readOnly?: readonly string[];
}

/**
 * The argument vector for `prlimit … bwrap …`: resource limits first (they apply to the whole
 * tree and to the host uid bwrap runs as), then every namespace unshared, a read-only system,
 * a writable workspace, a fresh /proc, read-only /dev and sized /tmp and /dev/shm, and a cleared environment.
 */
export function sandboxArguments(bwrapPath: string, invocation: BwrapInvocation): string[] {
  const { limits } = invocation;
  const prlimit = [
    `--nproc=${limits.processes}`,
    `--as=${limits.memoryBytes}`,
    `--fsize=${limits.fileSizeBytes}`,
    `--cpu=${limits.cpuSeconds}`,
    '--core=0',
    '--',
  ];
  const namespaces = ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--hostname', 'sandbox'];
  const syscalls = ['--seccomp', String(SECCOMP_FD)];
  const identity = ['--uid', String(SANDBOX_ID), '--gid', String(SANDBOX_ID)];
  const system = invocation.system.flatMap((entry) =>
    entry.symlinkTo === undefined ? ['--ro-bind', entry.path, entry.path] : ['--symlink', entry.symlinkTo, entry.path],
  );
  const etc = [
    ...ETC_PATHS.flatMap((p) => ['--ro-bind-try', p, p]),
    '--perms', '0444', '--ro-bind-data', String(PASSWD_FD), '/etc/passwd',
    '--perms', '0444', '--ro-bind-data', String(GROUP_FD), '/etc/group',
  ];
  // bwrap's root and /dev are tmpfs without a size: left writable, they would take memory without
  // bound. /tmp and /dev/shm get a size of their own, and the root and /dev become read-only.
  const fresh = [
    '--proc', '/proc',
    ...HOST_IDENTITY_IN_PROC.flatMap((p) => ['--ro-bind', '/dev/null', p]),
    '--dev', '/dev',
    '--size', String(limits.fileSizeBytes), '--tmpfs', '/dev/shm',
    '--size', String(limits.memoryBytes), '--tmpfs', SANDBOX_HOME,
  ];
  const host = invocation.workspace;
  const workspace = host === null ? ['--tmpfs', SANDBOX_WORKSPACE] : ['--bind', host, SANDBOX_WORKSPACE];
  const readOnly = host === null ? [] : (invocation.readOnly ?? []).flatMap((p) => ['--ro-bind-try', `${host}/${p}`, `${SANDBOX_WORKSPACE}/${p}`]);
  const sealed = ['--remount-ro', '/dev', '--remount-ro', '/'];
  const environment = [
    '--clearenv',
    '--setenv', 'PATH', TRUSTED_PATH,
    '--setenv', 'HOME', SANDBOX_HOME,
    '--setenv', 'TMPDIR', SANDBOX_HOME,
    '--setenv', 'USER', 'sandbox',
    '--setenv', 'LANG', 'C.UTF-8',
  ];
  const guard = invocation.guardNode ? ['--perms', '0444', '--ro-bind-data', String(GUARD_FD), SANDBOX_GUARD_PATH] : [];
  const guardEnvironment = invocation.guardNode ? ['--setenv', 'NODE_OPTIONS', guardedNodeOptions(SANDBOX_GUARD_PATH)] : [];
  return [
    ...prlimit,
    bwrapPath,
    ...namespaces,
    ...syscalls,
    ...identity,
    ...system,
    ...etc,
    ...fresh,
    ...workspace,
    ...readOnly,
    ...guard,
    ...sealed,
    '--chdir', SANDBOX_WORKSPACE,
    ...environment,
    ...guardEnvironment,
    '/bin/bash', '-c', CLOSE_INHERITED_FDS, '/bin/bash', invocation.command,
  ];
}
