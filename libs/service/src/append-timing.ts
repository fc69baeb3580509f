import type { EventLog } from '@loopwright/eventlog';
import type { Histogram } from 'prom-client';

/** Observes every append of this process (emit and appendMany go through append) from publish to the stream's ack. */
export function timeAppends(log: EventLog, seconds: Histogram): void {
  const append = log.append.bind(log);
  log.append = async (...args) => {
    const end = seconds.startTimer();
    try {
      return await append(...args);
    } finally {
      end();
    }
  };
}
