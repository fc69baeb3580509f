import { randomInt } from 'node:crypto';
import { runHostTool } from './host-command';

/** The host uid and gid a sandboxed command runs as. */
export interface HostIdentity {
  uid: number;
  gid: number;
}

/** Host uids handed to sandboxed commands start here: far above any real account. */
export const SANDBOX_UID_BASE = 600_000_000;
const UIDS_PER_PROCESS = 1_000;
/** Slots of UIDS_PER_PROCESS uids between the base and 2^31 - 1, the largest uid Node's spawn takes. */
const PROCESS_SLOTS = 1_500_000;
/**
 * Drawn at random, not from the pid: services in containers are each process 1 of their own PID
 * namespace, and by pid they would all hand out the same uids, sharing one process limit.
 */
const processSlot = randomInt(PROCESS_SLOTS);
let commandsStarted = 0;

/**
 * The host identity for the next command, or undefined to run as this process's own user.
 *
 * The kernel ignores RLIMIT_NPROC for processes whose real uid is root, even inside a user
 * namespace, so a service running as root hands each command an unprivileged uid of its own:
 * the process limit then holds, and counts that command's processes only. A service that is
 * not root runs commands as itself (the limit then also counts its own processes).
 */
export function hostIdentityFor(requestedUid?: number): HostIdentity | undefined {
  const isRoot = process.getuid?.() === 0;
  if (requestedUid !== undefined) {
    if (!isRoot) throw new RangeError('hostUid can only be chosen by a process running as root');
    return { uid: requestedUid, gid: requestedUid };
  }
  if (!isRoot) return undefined;
  const uid = SANDBOX_UID_BASE + processSlot * UIDS_PER_PROCESS + (commandsStarted++ % UIDS_PER_PROCESS);
  return { uid, gid: uid };
}

/**
 * Gives every entry under `root` to `identity`, never following a link. `chown -R -P` walks by
 * file descriptor: a directory swapped for a link to /etc while it walks is not followed (a walk
 * by path as root would hand /etc over), and a tree nested past the longest path still gets done.
 */
export function handOver(root: string, identity: HostIdentity): Promise<void> {
  return runHostTool('chown', ['-R', '-P', '--no-dereference', `${identity.uid}:${identity.gid}`, '--', root]);
}

