import type { EntityManager } from 'typeorm';
import type { EventType, LoopEvent } from '@loopwright/events';
import type { ChainLink } from '@loopwright/eventlog';

/** A read model: applies the events it handles inside the transaction that also advances its checkpoint. */
export interface Projector {
  readonly name: string;
  readonly version: number;
  readonly handles: readonly EventType[];
  apply(event: LoopEvent, seq: number, tx: EntityManager): Promise<void>;
}

export interface SequencedEvent {
  seq: number;
  event: LoopEvent;
}

/** The checkpoint row's key: a new projector version rebuilds from scratch under a new key. */
export function checkpointKey(projector: Pick<Projector, 'name' | 'version'>): string {
  return `${projector.name}@v${projector.version}`;
}

/**
 * A projector that owns named tables and applies a whole batch at once (one load, one write per
 * table). `apply` is `applyMany` of one event, so live and batched replay share one code path.
 */
export interface ReadModel extends Projector {
  /** The tables it writes: a rebuild fills fresh copies of exactly these and swaps them in. */
  readonly tables: readonly string[];
  /** Applies the handled events above the checkpoint, in log order. */
  applyMany(events: readonly SequencedEvent[], tx: EntityManager): Promise<void>;
}

export function defineReadModel(spec: Omit<ReadModel, 'apply'>): ReadModel {
  return {
    ...spec,
    apply: (event, seq, tx) => spec.applyMany([{ seq, event }], tx),
  };
}

/**
 * A projector over raw stored messages (seq, subject, payload), malformed ones included: the audit
 * chain hashes every message of the stream, so it cannot work from decoded events filtered by type.
 */
export interface LinkProjector {
  readonly name: string;
  readonly version: number;
  readonly tables: readonly string[];
  /** Applies the messages above the checkpoint, contiguous and in stream order. */
  applyLinks(links: readonly ChainLink[], tx: EntityManager): Promise<void>;
}

export function isReadModel(projector: Projector): projector is ReadModel {
  return typeof (projector as Partial<ReadModel>).applyMany === 'function';
}

/** Projectors fed together from one reading of the log. */
export interface ProjectionSet {
  readonly readModels: readonly ReadModel[];
  readonly links: readonly LinkProjector[];
}
