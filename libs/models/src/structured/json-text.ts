/**
 * Reads one JSON value out of a model's text: the whole text, a fenced ```json block, or the span
 * from the first `{`/`[` to the last `}`/`]` (servers that ignore `response_format` wrap JSON in prose).
 */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const candidates = [text.trim()];
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(text);
  if (fenced) candidates.push(fenced[1].trim());
  const start = text.search(/[{[]/);
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
  if (start >= 0 && end > start) candidates.push(text.slice(start, end + 1));

  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch {
      continue;
    }
  }
  return { ok: false, error: text.trim() === '' ? 'the answer is empty' : 'the answer is not JSON' };
}
