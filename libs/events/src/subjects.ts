import { ValidationError } from '@loopwright/core';
import { AGGREGATES, Aggregate, PRODUCERS, Producer } from './vocabulary';
import { catalog, EventType } from './catalog';

/** The default subject root; tests use their own root so each suite has its own stream. */
export const DEFAULT_SUBJECT_ROOT = 'loop';

export interface SubjectParts {
  aggregate: Aggregate;
  aggregateId: string;
  producer: Producer;
  type: string;
}

/** `<root>.<aggregate>.<aggregateId>.<producer>.<type>` */
export function buildSubject(parts: SubjectParts, root = DEFAULT_SUBJECT_ROOT): string {
  return `${root}.${parts.aggregate}.${parts.aggregateId}.${parts.producer}.${parts.type}`;
}

export function parseSubject(subject: string, root = DEFAULT_SUBJECT_ROOT): SubjectParts {
  const prefix = `${root}.`;
  if (!subject.startsWith(prefix)) throw new ValidationError(`subject "${subject}" is not under "${root}."`);
  const [aggregate, aggregateId, producer, ...typeTokens] = subject.slice(prefix.length).split('.');
  if (!(AGGREGATES as readonly string[]).includes(aggregate)) {
    throw new ValidationError(`subject "${subject}": unknown aggregate "${aggregate}"`);
  }
  if (!(PRODUCERS as readonly string[]).includes(producer)) {
    throw new ValidationError(`subject "${subject}": unknown producer "${producer}"`);
  }
  if (!aggregateId || typeTokens.length === 0) throw new ValidationError(`subject "${subject}" is incomplete`);
  return { aggregate: aggregate as Aggregate, aggregateId, producer: producer as Producer, type: typeTokens.join('.') };
}

/** Filters for consumers and replays. */
export const subjectFilters = {
  all: (root = DEFAULT_SUBJECT_ROOT) => `${root}.>`,
  run: (runId: string, root = DEFAULT_SUBJECT_ROOT) => `${root}.run.${runId}.>`,
  type: (type: EventType, root = DEFAULT_SUBJECT_ROOT) => `${root}.${catalog[type].aggregate}.*.*.${type}`,
  producer: (producer: Producer, root = DEFAULT_SUBJECT_ROOT) => `${root}.*.*.${producer}.>`,
};

/** The subject an event is appended on. */
export function subjectOf(
  event: { aggregate: Aggregate; aggregateId: string; producer: Producer; type: string },
  root = DEFAULT_SUBJECT_ROOT,
): string {
  return buildSubject(event, root);
}
