import { readFileSync } from 'node:fs';

/** Resident memory of one process in MB, from /proc/<pid>/status; undefined when it is gone or off Linux. */
export function pidRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
