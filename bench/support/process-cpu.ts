import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

interface Seen {
  first: number;
  last: number;
}

/**
 * CPU seconds used by the machine's processes of some names (e.g. `postgres`, `nats-server`)
 * between start and stop, read from /proc. Processes are sampled twice a second so that one
 * that exits before `stop()` (a closed pool connection) still counts up to its last sample.
 * Machine-wide: other work's processes of the same name count too. Empty off Linux.
 */
export function startProcessCpu(names: readonly string[]): { stop(): Record<string, number> } {
  const seen = new Map<string, Seen & { name: string }>();
  const sample = (initial: boolean) => {
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      return;
    }
    for (const pid of pids) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!names.includes(name)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the name: state is field 3, utime 14, stime 15, starttime 22 (1-based in proc(5)).
      const ticks = Number(fields[11]) + Number(fields[12]);
      const key = `${pid}:${fields[19]}`;
      const entry = seen.get(key);
      if (entry) entry.last = ticks;
      else seen.set(key, { name, first: initial ? ticks : 0, last: ticks });
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), 500);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      const totals: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
      for (const { name, first, last } of seen.values()) totals[name] += (last - first) / TICKS_PER_SECOND;
      return totals;
    },
  };
}
