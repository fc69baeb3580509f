import type { TraceStep } from '@loopwright/events';
import { inStepOrder } from './trace-features';
import { readTestRun } from './test-run';

export interface RenderTraceOptions {
  /** The most characters of the rendering, fence included. */
  maxChars: number;
  /** The goal's own test command, so its runs are marked as test runs. */
  testCommand?: string;
}

const oneLine = (text: string, limit: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
};

function exitOf(step: TraceStep): string {
  if (step.refused) return `refused: ${oneLine(step.refused, 80)}`;
  if (step.exitCode === null) return 'killed';
  return step.exitCode === undefined ? 'exit ?' : `exit ${step.exitCode}`;
}

/** One line per step: what it did and how it came out. */
function renderStep(step: TraceStep, testCommand: string): string {
  const who = step.speaker ? ` (${step.speaker}${step.delegatedBy !== undefined ? `, started at [${step.delegatedBy}]` : ''})` : '';
  const head = `[${step.step}]${who}`;
  switch (step.kind) {
    case 'command': {
      const test = readTestRun(step.input, step.output, step.exitCode, testCommand);
      const outcome = test ? `, test run ${test.outcome}` : '';
      return `${head} $ ${oneLine(step.input, 200)} → ${exitOf(step)}${outcome}`;
    }
    case 'read':
      return `${head} read ${step.path ?? step.input}`;
    case 'edit':
      return `${head} edit ${step.path ?? step.input}${step.editedBy === 'shell' ? ' (by a shell command)' : ''}${step.refused ? ` → ${exitOf(step)}` : ''}`;
    case 'search':
      return `${head} search ${oneLine(step.input, 120)}`;
    case 'web':
      return `${head} web ${oneLine(step.input, 120)}`;
    case 'question':
      return `${head} question: ${oneLine(step.output || step.input, 300)}`;
    case 'thought':
      return `${head} thought: ${oneLine(step.output || step.input, 120)}`;
    case 'message':
      return `${head} message: ${oneLine(step.output || step.input, 300)}`;
    default: {
      const never: never = step.kind;
      return `${head} ${String(never)}`;
    }
  }
}

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/**
 * A condensed, step-numbered view of a trace for the judge: commands with exit codes, edits,
 * reads, searches, questions, and the final message in full (cut to fit). Inside a fence the
 * rendered text cannot close, and no longer than `maxChars`: when it would be, the middle steps
 * are dropped and the gap is said so.
 */
export function renderTraceForJudge(steps: readonly TraceStep[], options: RenderTraceOptions): string {
  const ordered = inStepOrder(steps);
  const lastMessage = [...ordered].reverse().find((s) => s.kind === 'message');
  const lines = ordered.filter((s) => s !== lastMessage).map((s) => renderStep(s, options.testCommand ?? ''));
  const final = lastMessage ? `final message [${lastMessage.step}]:\n${lastMessage.output || lastMessage.input}` : 'final message: (none)';
  const budget = Math.max(0, options.maxChars - 16);
  const finalPart = final.length > budget / 3 ? `${final.slice(0, Math.floor(budget / 3) - 1)}…` : final;
  let room = budget - finalPart.length - 1;
  const head: string[] = [];
  const tail: string[] = [];
  let i = 0;
  let j = lines.length - 1;
  // Take from both ends so the start of the work and how it ended both stay in view.
  while (i <= j) {
    const fromHead = head.length <= tail.length;
    const line = fromHead ? lines[i] : lines[j];
    const needed = line.length + 1 + (i < j ? 40 : 0);
    if (needed > room) break;
    room -= line.length + 1;
    if (fromHead) head.push(lines[i++]);
    else tail.unshift(lines[j--]);
  }
  const omitted = j - i + 1;
  const body = [...head, ...(omitted > 0 ? [`… ${omitted} step(s) omitted …`] : []), ...tail, finalPart].join('\n');
  const fence = fenceFor(body);
  const rendered = `${fence}trace\n${body}\n${fence}`;
  return rendered.length <= options.maxChars ? rendered : `${rendered.slice(0, options.maxChars - fence.length - 2)}…\n${fence}`;
}
