import { z } from 'zod';
import { SubjectToken } from './vocabulary';

/**
 * An agent runtime opened a session for one task iteration (a Managed Agents session, a Claude
 * Agent SDK session). Recorded as soon as the session exists: an executor that restarts finds it
 * here and reattaches to the same session instead of opening another.
 */
export const AgentSessionOpened = z.object({
  taskId: SubjectToken,
  iteration: z.number().int().min(1),
  backend: z.enum(['managed', 'claude-agent-sdk']),
  /** The runtime's own id of the session. */
  sessionId: z.string().min(1).max(200),
  decisionId: z.string(),
  /** Managed Agents: the agent (and its version) and the environment the session runs on. */
  agentId: z.string().optional(),
  agentVersion: z.number().int().optional(),
  environmentId: z.string().optional(),
  /** Claude Agent SDK: the session's state lives on this executor host only. */
  host: z.string().optional(),
});

export type AgentSessionOpened = z.infer<typeof AgentSessionOpened>;

/**
 * A tool-loop session of a task iteration was interrupted (its process died) and runs again as a new
 * attempt: the steps the abandoned attempt recorded stay in the log, marked, and nothing grades them.
 */
export const TraceAbandoned = z.object({
  taskId: SubjectToken,
  iteration: z.number().int().min(1),
  /** The abandoned attempt. */
  attempt: z.number().int().min(1),
  /** The attempt that runs in its place. */
  nextAttempt: z.number().int().min(2),
  decisionId: z.string(),
  reason: z.string().min(1),
});

export type TraceAbandoned = z.infer<typeof TraceAbandoned>;
