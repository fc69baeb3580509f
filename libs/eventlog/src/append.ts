import { JetStreamApiError, JetStreamClient } from '@nats-io/jetstream';
import { ConcurrencyError, InfrastructureError, ValidationError } from '@loopwright/core';
import { LoopEvent, parseEvent, subjectOf } from '@loopwright/events';
import { backoffDelay, sleep } from './backoff';
import { encodeEvent } from './codec';
import { refuseOversized } from './payload-limit';
import { refuseSecrets } from './secret-guard';

export interface AppendOptions {
  /** Optimistic concurrency: the append fails unless the subject's last sequence is this. */
  expectedLastSubjectSeq?: number;
  maxAttempts?: number;
  /** Values that must never reach the log (see secretsFromEnv): an event holding one is refused. */
  secrets?: readonly string[];
  /** The server's largest message (its max_payload): a larger event is refused before it is sent. */
  maxPayloadBytes?: number;
}

export interface AppendResult {
  seq: number;
  /** The event's id was already in the log within the duplicate window: stored once. */
  duplicate: boolean;
}

const WRONG_LAST_SEQUENCE = 10071;

/** Validates an event, refuses one that carries a secret, publishes it with `Nats-Msg-Id` = id, and waits for the stream's ack. */
export async function appendEvent(
  js: JetStreamClient,
  subjectRoot: string,
  event: LoopEvent,
  options: AppendOptions = {},
): Promise<AppendResult> {
  const valid = parseEvent(event);
  refuseSecrets(valid, options.secrets ?? []);
  const subject = subjectOf(valid, subjectRoot);
  const payload = encodeEvent(valid);
  refuseOversized(valid, payload.length, options.maxPayloadBytes);
  const maxAttempts = options.maxAttempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      const ack = await js.publish(subject, payload, {
        msgID: valid.id,
        expect: options.expectedLastSubjectSeq === undefined ? undefined : { lastSubjectSequence: options.expectedLastSubjectSeq },
      });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) {
        throw new ConcurrencyError(`${valid.type} on ${subject}: the subject moved past sequence ${options.expectedLastSubjectSeq}`, {
          cause: error,
        });
      }
      if (error instanceof JetStreamApiError || error instanceof ValidationError) throw error;
      if (attempt >= maxAttempts) {
        throw new InfrastructureError(`could not append ${valid.type} after ${attempt} attempts: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await sleep(backoffDelay(attempt, 100, 3_000));
    }
  }
}
