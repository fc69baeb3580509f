import { SingleBar } from 'cli-progress';

/** A progress bar on stderr (a plain line every two seconds when stderr is not a terminal). */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

export function startProgress(label: string, total: number, unit = 'events'): Progress {
  const bar = new SingleBar({
    format: `${label.padEnd(28)} [{bar}] {percentage}% {value}/{total} ${unit} | {rate}/s | eta {eta_formatted}`,
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 2_000,
    hideCursor: true,
    etaBuffer: 50,
  });
  const started = performance.now();
  const rateOf = (done: number) => Math.round(done / Math.max((performance.now() - started) / 1000, 1e-3));
  bar.start(total, 0, { rate: 0 });
  return {
    update: (done) => bar.update(Math.min(done, total), { rate: rateOf(done) }),
    stop: () => bar.stop(),
  };
}
