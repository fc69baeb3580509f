import { ValidationError } from '@loopwright/core';
import type { LoopEvent } from '@loopwright/events';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Refuses an event whose encoded size is over the server's message limit, naming the data fields
 * that make it large, before anything is sent (the server would refuse it with an error that names
 * no field, after retries). Large text belongs in the artifact store, referred to by its digest.
 */
export function refuseOversized(event: LoopEvent, payloadBytes: number, limitBytes: number | undefined): void {
  if (limitBytes === undefined || payloadBytes <= limitBytes) return;
  const fields = Object.entries(event.data as Record<string, unknown>)
    .map(([field, value]) => ({ field, bytes: Buffer.byteLength(JSON.stringify(value) ?? '') }))
    .sort((a, b) => b.bytes - a.bytes)
    .filter((f, i) => i === 0 || f.bytes > limitBytes / 10)
    .map((f) => `data.${f.field} is ${mib(f.bytes)}`);
  throw new ValidationError(
    `${event.type} is ${mib(payloadBytes)}, over the log's limit of ${mib(limitBytes)} per event: ${fields.join(', ')}; ` +
      'put large text in the artifact store and refer to it by its digest',
  );
}
