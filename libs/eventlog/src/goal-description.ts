import type { GoalSubmitted } from '@loopwright/events';
import type { ArtifactStore } from './artifacts';

/** A description over this many bytes goes to the artifact store; the event keeps an excerpt and the digest. */
export const INLINE_DESCRIPTION_BYTES = 64 * 1024;
const EXCERPT_CHARS = 4_000;

type GoalText = Pick<GoalSubmitted, 'description' | 'descriptionDigest'>;

/**
 * Moves a long description out of the goal event: the full text goes to the artifact store, the event
 * carries its first part, a line saying where the rest is, and the digest the executor reads it back by.
 */
export async function storeLongDescription<G extends GoalText>(goal: G, artifacts: () => Promise<ArtifactStore>): Promise<G> {
  const bytes = Buffer.byteLength(goal.description);
  if (bytes <= INLINE_DESCRIPTION_BYTES) return goal;
  const digest = await (await artifacts()).put(new TextEncoder().encode(goal.description));
  const excerpt = `${goal.description.slice(0, EXCERPT_CHARS)}\n\n[${bytes} bytes in all: the full description is artifact ${digest}]`;
  return { ...goal, description: excerpt, descriptionDigest: digest };
}

/** The goal with its full description, read back from the artifact store when the event carries only an excerpt. */
export async function withFullDescription<G extends GoalText>(goal: G, artifacts: () => Promise<ArtifactStore>): Promise<G> {
  if (!goal.descriptionDigest) return goal;
  const text = new TextDecoder().decode(await (await artifacts()).get(goal.descriptionDigest));
  return { ...goal, description: text };
}
