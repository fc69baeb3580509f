import { z } from 'zod';

/**
 * The editorial pass's answer on a draft: ship it as it is, patch it (whole files to write, files
 * to remove, the final message to use), or have it written again from the notes. Paths are the
 * executor's to check against the task's scope before anything is written.
 */
export const EditAnswerSchema = z.object({
  verdict: z.enum(['approve', 'patch', 'regenerate']),
  notes: z.array(z.string().max(500)).max(20),
  files: z.array(z.object({ path: z.string().min(1), content: z.string().max(200_000) })).max(50).default([]),
  remove: z.array(z.string().min(1)).max(50).default([]),
  finalMessage: z.string().max(20_000).optional(),
});
export type EditAnswer = z.infer<typeof EditAnswerSchema>;
