import { readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

/** CPU seconds of one process, from /proc/<pid>/stat. */
export interface PidCpu {
  /** utime + stime: the process itself. */
  own: number;
  /** cutime + cstime: its children that have exited and been waited for (e.g. sandboxed commands). */
  children: number;
}

/** The CPU one process has used so far; undefined when it is gone or off Linux. */
export function pidCpu(pid: number | undefined): PidCpu | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // After the name: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based in proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    own: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    children: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
  };
}

/** What a process used between two readings. */
export function pidCpuDelta(before: PidCpu | undefined, after: PidCpu | undefined): PidCpu {
  if (!before || !after) return { own: NaN, children: NaN };
  return { own: after.own - before.own, children: after.children - before.children };
}
