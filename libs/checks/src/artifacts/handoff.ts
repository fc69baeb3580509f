import { z } from 'zod';
import { Role } from '@loopwright/events';
import { Text } from './artifact-files';

/**
 * What a role passes on to the next (`.loopwright/handoffs/<role>.json`): the complete/in-progress
 * split with its evidence, the files touched, active assumptions, what is still unknown, and the
 * receiving role's first step.
 */
export const HandoffSchema = z.object({
  from: Role,
  to: z.array(Role).min(1),
  complete: z.array(z.object({ item: Text, evidence: z.array(Text).default([]) })).default([]),
  inProgress: z.array(z.object({ item: Text, remaining: Text })).default([]),
  notStarted: z.array(Text).default([]),
  files: z.array(Text).default([]),
  assumptions: z.array(z.object({ text: Text, verifyBy: Text.optional() })).default([]),
  risks: z.array(z.object({ text: Text, closeBy: Text.optional() })).default([]),
  evidence: z.array(z.object({ claim: Text, ref: Text })).default([]),
  nextAction: Text,
});

export type Handoff = z.output<typeof HandoffSchema>;

/** Changed files the handoff does not list (artifact bookkeeping under `.loopwright/` aside). */
export function unlistedFiles(handoff: Handoff, changed: readonly string[]): string[] {
  const listed = new Set(handoff.files.map((f) => f.replace(/^\.\//, '')));
  return changed.filter((f) => !f.startsWith('.loopwright/') && !listed.has(f));
}
