import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { delegatedAgentIds, SubAgentFile } from './formats/claude-code-subagents';
import { TranscriptError } from './imported-run';
import { decodeText, readRegularFile, TranscriptRefused } from './transcript-text';

/** More sub-agents than any session starts: a transcript naming more is refused, not read. */
export const MAX_SUB_AGENTS = 1_000;

/**
 * Where Claude Code keeps a sub-agent's transcript: `<session>/subagents/agent-<id>.jsonl` beside
 * `<session>.jsonl` (current versions), else `agent-<id>.jsonl` beside it (older ones).
 */
export function subAgentPaths(session: string, agentId: string): string[] {
  const folder = dirname(session);
  return [join(folder, basename(session, '.jsonl'), 'subagents', `agent-${agentId}.jsonl`), join(folder, `agent-${agentId}.jsonl`)];
}

/**
 * Finds and reads the transcripts of the sub-agents a Claude Code session started, and of the
 * sub-agents those started. Reads nothing outside the session's folder: an agent id that could
 * name another folder is refused before a path is made of it, and a link (to a file or a folder)
 * leading out, or anything but a regular file, is refused. All files together stay within
 * `budget` bytes. A sub-agent whose file is in neither place maps to null.
 */
export async function readSubAgentFiles(
  session: string,
  text: string,
  budget: number,
): Promise<{ files: Map<string, SubAgentFile | null>; bytes: Buffer[] }> {
  const root = await realpath(dirname(session));
  const files = new Map<string, SubAgentFile | null>();
  const bytes: Buffer[] = [];
  let left = budget;
  const pending = delegatedAgentIds(text);
  for (let id = pending.shift(); id !== undefined; id = pending.shift()) {
    if (files.has(id)) continue;
    if (files.size >= MAX_SUB_AGENTS) throw new TranscriptRefused(session, 0, `the session names more than ${MAX_SUB_AGENTS} sub-agents: refusing to read them all`);
    const found = await firstFile(subAgentPaths(session, id), root, left);
    files.set(id, found && { path: found.path, text: found.text });
    if (!found) continue;
    left -= found.bytes.length;
    bytes.push(found.bytes);
    try {
      pending.push(...delegatedAgentIds(found.text));
    } catch (error) {
      if (error instanceof TranscriptError) throw new TranscriptRefused(found.path, error.line, error.problem);
      throw error;
    }
  }
  return { files, bytes };
}

async function firstFile(paths: readonly string[], root: string, left: number) {
  for (const path of paths) {
    const found = await readInside(path, root, left);
    if (found) return found;
  }
  return null;
}

/** A regular file whose folder lies inside `root`, read through no link; null when there is none. */
async function readInside(path: string, root: string, left: number): Promise<{ path: string; text: string; bytes: Buffer } | null> {
  const folder = await realpath(dirname(path)).catch(() => null);
  if (folder === null) return null;
  if (folder !== root && !folder.startsWith(`${root}${sep}`)) {
    throw new TranscriptRefused(path, 0, "its folder is a link leading out of the session's folder: refusing to read it");
  }
  const bytes = await readRegularFile(path, left, "the session and its sub-agents' transcripts come to more than the {left} left of the limit: import the session without them by moving them away, or split it");
  return bytes && { path, text: decodeText(path, bytes), bytes };
}

const SUB_AGENT_FILE = /^agent-[^/\\]+\.jsonl$/;
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * The session transcript a sub-agent's file is merged into, when the file is one
 * (`<session>/subagents/agent-<id>.jsonl`, or an `agent-<id>.jsonl` whose turns name a session
 * beside it): a folder imported whole reads it through that session, not as a run of its own.
 */
export async function sessionOfSubAgentFile(file: string): Promise<string | undefined> {
  if (!SUB_AGENT_FILE.test(basename(file))) return undefined;
  const folder = dirname(file);
  if (basename(folder) === 'subagents') return join(dirname(dirname(folder)), `${basename(dirname(folder))}.jsonl`);
  const head = await headOf(file);
  const sessionId = /"sessionId"\s*:\s*"([^"]+)"/.exec(head)?.[1];
  return sessionId && SESSION_ID.test(sessionId) ? join(folder, `${sessionId}.jsonl`) : undefined;
}

/** A file's first 64 KB as text, or nothing when it cannot be read (a FIFO, a link: never waited on, never followed). */
async function headOf(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => null);
  if (!handle) return '';
  try {
    const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(65_536) });
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await handle.close();
  }
}
