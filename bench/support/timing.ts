/** How long some work over a number of events took. */
export interface Throughput {
  events: number;
  seconds: number;
  perSecond: number;
}

export async function measure(events: number, work: () => Promise<unknown>): Promise<Throughput> {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds, perSecond: events / seconds };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
