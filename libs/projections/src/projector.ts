import type { EntityManager } from 'typeorm';
import type { EventType, LoopEvent } from '@loopwright/events';

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
