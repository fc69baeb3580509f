import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { type EventLog, type StoredEvent, toStoredEvent } from '@loopwright/eventlog';

/** The newest event stored on one subject (under the log's root), or undefined when there is none. */
export async function lastEventOn(log: EventLog, subject: string): Promise<StoredEvent | undefined> {
  const { streamName, subjectRoot } = log.config;
  try {
    const message = await log.jsm.streams.getMessage(streamName, { last_by_subj: `${subjectRoot}.${subject}` });
    return message ? toStoredEvent(message.seq, message.subject, message.data, subjectRoot) : undefined;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound) return undefined;
    throw error;
  }
}
