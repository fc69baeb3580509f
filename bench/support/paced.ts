const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `send(i)` for i in [0, count) at a steady rate (open loop: a slow answer does not
 * delay the next send). Timers fire late by a millisecond or more, so each wake-up sends
 * everything that has fallen due. Returns the seconds the sending took.
 */
export async function sendPaced(count: number, perSecond: number, send: (i: number) => void, onTick?: (sent: number) => void): Promise<number> {
  const intervalMs = 1000 / perSecond;
  const started = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor((performance.now() - started) / intervalMs) + 1);
    while (sent < due) send(sent++);
    onTick?.(sent);
    if (sent < count) await sleep(Math.max(0, started + sent * intervalMs - performance.now()));
  }
  return (performance.now() - started) / 1000;
}
