/** Where SWE-bench style prompts put the repository and the issue. */
export function repoRootOfPrompt(prompt: string): string | undefined {
  return /<uploaded_files>\s*(\/[^\s<]+)\s*<\/uploaded_files>/.exec(prompt)?.[1];
}

/** The issue inside a SWE-bench style prompt (`<pr_description>`, `<issue>`, `ISSUE:`), or the prompt itself. */
export function taskOfPrompt(prompt: string): string {
  const tagged = /<(pr_description|issue|task)>\s*([\s\S]*?)\s*<\/\1>/.exec(prompt);
  if (tagged) return tagged[2].replace(/^Consider the following PR description:\s*/i, '');
  const issue = /^ISSUE:\s*\n([\s\S]*?)(?:\n\s*INSTRUCTIONS:|$)/m.exec(prompt);
  return (issue ? issue[1] : prompt).trim();
}

/** The text of a chat message's content: a string, or a list of `{type: 'text', text}` parts. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join('\n');
}
