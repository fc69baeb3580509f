import type { GoalSubmitted, Role } from '@loopwright/events';
import type { LintFinding } from '@loopwright/checks';

/** The editorial pass's standing instructions: short, budgeted, and only what the checks cannot see. */
export function editorSystemPrompt(role: Role): string {
  return [
    `You are the senior ${role} editing a draft a smaller model wrote. The automatic checks have already run.`,
    'Read the draft once. Answer "approve" when it is fit to hand to the grader as it is;',
    '"patch" with the whole new content of each file you change (inside the allowed paths), the files to remove, and the final message as it should read;',
    'or "regenerate" with notes, when it is quicker to write it again than to fix it.',
    'Notes name what is wrong in a line each. Do not rewrite what is fine.',
  ].join('\n');
}

/** The draft under edit: the goal, the lint's findings, the final message and the changed files. */
export function editorPrompt(goal: GoalSubmitted, texts: readonly string[], findings: readonly LintFinding[]): string {
  const [message = '', code = ''] = texts;
  return [
    `Goal: ${goal.title}`,
    goal.description,
    `Allowed paths: ${goal.allowedPaths.join(', ')}`,
    `Test command: ${goal.testCommand}`,
    findings.length === 0 ? 'The automatic checks found nothing.' : `The automatic checks found:\n${findings.map((f) => `- ${f.check}: ${f.detail}`).join('\n')}`,
    `The draft's final message:\n${message}`,
    `The files it changed:\n${code}`,
  ].join('\n\n');
}
