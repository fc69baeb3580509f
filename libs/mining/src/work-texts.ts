/** The most of each text a resident reads: enough for a task's files and message, bounded for the log. */
export const MAX_WORK_TEXT = 8_000;

/**
 * What a text-reading resident reads of a piece of work: its final message, and its changed
 * files (each headed by its path). The grader and the executor attach these to the decisions
 * they request, so the model is trained on exactly what it later reads.
 */
export function workTexts(finalMessage: string, files: readonly { path: string; content: string }[]): string[] {
  const code = files.map((f) => `// file: ${f.path}\n${f.content}`).join('\n');
  return [finalMessage.slice(0, MAX_WORK_TEXT), code.slice(0, MAX_WORK_TEXT)];
}
