import { asRecord, TranscriptError } from '../imported-run';

/** Every non-blank line as a JSON object, with its line number; a broken line is named. */
export function jsonLines(text: string): { value: Record<string, unknown>; line: number }[] {
  const lines = text.split('\n');
  const entries: { value: Record<string, unknown>; line: number }[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const last = i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '');
      throw new TranscriptError(
        i + 1,
        last && !raw.trimEnd().endsWith('}')
          ? 'the last line is cut off (the transcript is truncated): import it again once the session has ended'
          : `not a JSON object (${(error as Error).message}); fix or delete this line`,
      );
    }
    const record = asRecord(value);
    if (!record) throw new TranscriptError(i + 1, 'a line is JSON but not an object; every line of a JSONL transcript is one entry');
    entries.push({ value: record, line: i + 1 });
  });
  return entries;
}
