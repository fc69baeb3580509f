import type { TranscriptFormat } from '@loopwright/events';

const SNIFF_CHARS = 65_536;

/**
 * Which format a transcript is in, from its first characters: the keys each format starts with.
 * Null when none fits (the caller asks for `--format`).
 */
export function detectFormat(text: string): TranscriptFormat | null {
  const head = text.slice(0, SNIFF_CHARS);
  const start = head.trimStart();
  const firstLine = start.split('\n', 1)[0] ?? '';
  if (start.startsWith('{') && /"sessionId"\s*:/.test(firstLine) && /"type"\s*:/.test(head)) return 'claude-code';
  if (start.startsWith('{') && /"type"\s*:\s*"(?:summary|user|assistant)"/.test(firstLine) && /\n\s*\{/.test(start)) return 'claude-code';
  // Newer sessions open with metadata entries (a file-history snapshot has no sessionId): a later user or assistant entry tells.
  if (start.startsWith('{') && /"type"\s*:/.test(firstLine) && leadingLines(start).some(isClaudeCodeTurn)) return 'claude-code';
  if (/"resourceSpans"\s*:/.test(head)) return 'otlp-json';
  if (/"trajectory"\s*:\s*\[/.test(head)) return 'swe-agent';
  if (/"trajectory_format"\s*:\s*"mini-swe-agent/.test(text.slice(-SNIFF_CHARS)) || /"trajectory_format"\s*:\s*"mini-swe-agent/.test(head)) return 'mini-swe-agent';
  if (start.startsWith('[') && /"(?:action|observation)"\s*:/.test(head)) return 'openhands';
  if (/"history"\s*:\s*\[/.test(head) && /"(?:action|observation)"\s*:/.test(head)) return 'openhands';
  if (/"messages"\s*:\s*\[/.test(head) && /"role"\s*:/.test(head)) return 'mini-swe-agent';
  return null;
}

const leadingLines = (text: string) => text.split('\n', 50);
const isClaudeCodeTurn = (line: string) => /"sessionId"\s*:/.test(line) && /"type"\s*:\s*"(?:user|assistant)"/.test(line);
