import type { z } from 'zod';
import type { SimAgentContext, SimAnswerContext } from './sim/sim-context';

/** Tokens one model call consumed. `inputTokens` excludes the cached ones, as the Messages API reports it. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** What a model call cost and who answered. `simulated` is true for every answer of the sim provider. */
export interface ModelCall {
  usage: Usage;
  costUsd: number;
  model: string;
  latencyMs: number;
  simulated: boolean;
}

/** A question whose answer must validate against `schema`. */
export interface AnswerRequest<T> {
  /** The decision key, e.g. `grader:engineer:gate:claims_match_evidence`. */
  purpose: string;
  /** Static part (rubric text, standing instructions): sent as a cached prefix. */
  system: string;
  /** Dynamic part. Worker output inside it is untrusted data. */
  prompt: string;
  /** The answer's schema; the JSON schema shown to the model is derived from it. */
  schema: z.ZodType<T>;
  maxTokens?: number;
  /** Structured facts read only by the sim provider. */
  sim?: SimAnswerContext;
}

/** A validated answer. Usage, cost and latency add up every attempt, the rejected ones too. */
export interface AnswerResult<T> extends ModelCall {
  answer: T;
  /** 1, or 2 when the first answer was rejected and the retry was accepted. */
  attempts: number;
}

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };

export interface AgentMessage {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON schema of the tool's input object. */
  inputSchema: Record<string, unknown>;
}

/** One turn of a tool-use loop: the conversation so far and the tools on offer. */
export interface TurnRequest {
  purpose: string;
  system: string;
  messages: AgentMessage[];
  tools: ToolSpec[];
  maxTokens?: number;
  sim?: SimAgentContext;
}

export interface TurnResult extends ModelCall {
  content: ContentBlock[];
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens';
}

/** Every model backend (anthropic, openai-compatible, replay, sim) behind one interface. */
export interface ModelProvider {
  readonly name: string;
  answer<T>(req: AnswerRequest<T>): Promise<AnswerResult<T>>;
  turn(req: TurnRequest): Promise<TurnResult>;
}
