import { ValidationError } from '@loopwright/core';
import type { EventDataInput, TranscriptFormat, WorkProduced } from '@loopwright/events';

/** One step as a transcript records it: the run's task, iteration and step number are added on import. */
export type ImportedStep = Omit<EventDataInput<'trace.step'>, 'taskId' | 'iteration' | 'step'>;

/** A file of the delivered change: its diff, or its content when the source only has that. */
export interface ChangedFile {
  path: string;
  content: string;
}

/** One agent run read from a transcript, before it becomes events. */
export interface ImportedRun {
  format: TranscriptFormat;
  /** The source's own ids (session, instance, trace): the run id is derived from them and the content. */
  ids: string[];
  /** The task statement: the first thing the user asked. */
  task: string;
  steps: ImportedStep[];
  finalMessage: string;
  /** The agent's messages before the final one, oldest first: claims are read from the last few. */
  messages: string[];
  endedBy: WorkProduced['endedBy'];
  /** Model turns the agent took. */
  turns: number;
  /** The turn limit the source records, when it records one. */
  maxTurns?: number;
  change: ChangedFile[];
  /** What the source could not say, for the summary (no exit codes, no final diff, …). */
  gaps: string[];
}

/** A transcript that cannot be read: names the line and the problem, so the user knows what to fix. */
export class TranscriptError extends ValidationError {
  constructor(
    readonly line: number,
    readonly problem: string,
    /** The file the line is in, when it is not the transcript named (a sub-agent's own transcript). */
    readonly file?: string,
  ) {
    super(`${file ? `${file}:` : 'line '}${line}: ${problem}`, [{ path: file ? `${file}:${line}` : `line ${line}`, message: problem }]);
  }
}

/** The 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parses a whole-file JSON document, turning a syntax error into the line it is on. */
export function parseJsonDocument(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = position ? lineAt(text, Number(position[1])) : lineAt(text, text.length);
    const truncated = /Unexpected end|Unterminated/i.test(message);
    throw new TranscriptError(
      line,
      `${truncated ? 'the file ends in the middle of' : 'invalid JSON in'} ${what} (${message.replace(/^.*?: /, '')}); ${truncated ? 'the transcript is truncated: export it again' : 'fix or remove the broken part'}`,
    );
  }
}

export const asRecord = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

export const asString = (value: unknown): string => (typeof value === 'string' ? value : '');
