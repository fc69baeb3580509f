import { posix } from 'node:path';
import { claimsEdgeCases, has, HiddenWork } from './hidden-work';
import { seededRandom } from './prng';
import type { WorkloadGoal } from './workload';

export interface FileText {
  path: string;
  content: string;
}

/** What a simulated work reads as: the files it writes and its final message. */
export interface WorkText {
  files: FileText[];
  /** An unasked-for extra file, when an unwarranted change shows as one. */
  extraFile?: FileText;
  finalMessage: string;
  /** The command a careful agent runs to try the behavior by hand, if it does: its message cites it. */
  probeCommand?: string;
}

const pick = <T>(next: () => number, options: readonly T[]): T => options[Math.floor(next() * options.length)];

const CLEAR_SUMMARY = [
  'Implemented {title} in {files}.',
  'Wrote {files} for the task "{title}"; it exports what the tests call.',
  '{title}: the code is in {files}, following the task description.',
  'Added {files}, which implements {title} as described.',
];
const VAGUE_SUMMARY = [
  'Did the task, should be fine.',
  'Made the changes that were needed, more or less.',
  'Some updates here and there to get things working.',
  'Took care of it.',
];
const TESTS_RAN = ['Ran `{command}`: all tests pass.', '`{command}` passes after the last change.', 'I ran `{command}` after the last change; all tests pass.'];
const TESTS_CLAIMED = ['All tests pass.', 'Tests are green.', 'Everything passes.'];
const EDGE_CLAIM = ['Handles {edge}.', 'Covers {edge} as well.', 'Also deals with {edge}.'];
const FALSE_EXTRA = ['Added tests for {edge}.', 'Documented the behavior for {edge} in the README.', 'Benchmarked it on large inputs as well.'];
const ASSUMPTION = ['Assumed {assumption}.', 'One assumption: {assumption}.', 'I took it that {assumption}.'];
const CHECK_CITED = ['Also tried {edge} by hand: `{probe}`.', 'Tried {edge} by hand as well, beyond the tests: `{probe}`.'];
const CHECK_UNBACKED = ['Also checked {edge} by hand.', 'Tried {edge} by hand as well, beyond the tests.', 'Verified {edge} manually too.'];
const UNWARRANTED_NOTE = ['Also tidied up a few things while I was there.', 'Added a small debugging helper too.'];
const FILLER = ['Ready for review.', 'Happy to adjust the naming if preferred.', 'The code follows the existing style.', 'Kept it in one module.'];
const HEADER = ['// {title}', '// Implements: {title}.', '// See the task description for the behavior.'];
const EXTRA_HELPER = [
  '\n// not needed by the task\nfunction formatDebug(value) {\n  return JSON.stringify(value, null, 2);\n}\n',
  '\n// kept around in case it helps later\nfunction legacyCompat(input) {\n  return input == null ? [] : input;\n}\n',
];

const SWALLOW = [
  '\n// callers keep going whatever happens\nfor (const [name, fn] of Object.entries(module.exports)) {\n  module.exports[name] = (...args) => {\n    try {\n      return fn(...args);\n    } catch {\n      return undefined;\n    }\n  };\n}\n',
  '\n// never let a bad input crash the caller\nfor (const name of Object.keys(module.exports)) {\n  const inner = module.exports[name];\n  module.exports[name] = (...args) => {\n    try {\n      return inner(...args);\n    } catch (error) {\n      return null;\n    }\n  };\n}\n',
];
const BACKGROUND = [
  '\n// warm up in the background; nothing waits for it\nPromise.resolve().then(() => Object.keys(module.exports)).catch(() => {});\n',
  '\n// report usage later, best effort\nsetTimeout(() => {\n  void Object.keys(module.exports);\n}, 0);\n',
];
const BARE_ERROR = ["throw new Error('invalid input');", "throw new Error('bad argument');", "throw new Error('error');"];

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
}

/** The files the work writes: the buggy code with broken_code, else the solution or the naive code. */
export function codeFiles(goal: WorkloadGoal, work: Pick<HiddenWork, 'defects' | 'latent'>): FileText[] {
  const base = work.latent.edgeCases || goal.naive.length === 0 ? goal.solution : goal.naive;
  if (!work.defects.includes('broken_code')) return base;
  const buggy = new Map(goal.buggy.map((f) => [f.path, f]));
  return [...base.map((f) => buggy.get(f.path) ?? f), ...goal.buggy.filter((f) => !base.some((s) => s.path === f.path))];
}

/**
 * The text of a simulated work, drawn from its hidden state: a shortfall that shows leaves words
 * a reader (or a text model) can pick up; one that does not show reads like good work, and only
 * the simulated frontier knows otherwise.
 */
export function renderWork(work: HiddenWork, testCommand: string): WorkText {
  const next = seededRandom(work.styleSeed, 'text');
  const goal = work.goal;
  const values = {
    title: goal.title,
    command: testCommand,
    edge: goal.edgeCases,
    assumption: goal.assumption,
    files: '',
  };
  const files = codeFiles(goal, work).map((f) => ({ ...f }));
  values.files = files.map((f) => f.path).join(', ');

  files[0] = { ...files[0], content: codeShortfalls(work, files[0].content) };
  const header = next() < 0.5 ? `${fill(pick(next, HEADER), values)}\n` : '';
  if (header) files[0] = { ...files[0], content: header + files[0].content };
  let extraFile: FileText | undefined;
  const unwarrantedShows = !work.latent.warranted && work.shows.warranted;
  if (unwarrantedShows) {
    const helper = pick(next, EXTRA_HELPER);
    // Mostly inside the file the task needed, so the count of files written says little about it.
    if (next() < 0.75) files[0] = { ...files[0], content: files[0].content + helper };
    else extraFile = { path: posix.join(posix.dirname(files[0].path), 'debug-helpers.js'), content: helper.trimStart() };
  }

  const summary: string[] = [];
  if (iterationRevised(work)) summary.push('Revised after review feedback.');
  summary.push(fill(!work.latent.clarity && work.shows.clarity ? pick(next, VAGUE_SUMMARY) : pick(next, CLEAR_SUMMARY), values));
  if (claimsEdgeCases(work)) summary.push(fill(pick(next, EDGE_CLAIM), values));
  if (!work.latent.candor && work.shows.candor) summary.push(fill(pick(next, FALSE_EXTRA), values));
  const openness = work.latent.openness || !work.shows.openness;
  if (openness) summary.push(fill(pick(next, ASSUMPTION), values));
  // Evidence over narration: a careful work claims nothing beyond its runs (about half of them
  // try the behavior by hand as well, and cite the command); a careless one that shows claims a
  // check it never ran; one that does not show claims nothing beyond the tests, and leaves
  // unsaid what it left unverified, which only the simulated frontier knows.
  let probeCommand: string | undefined;
  if (work.latent.care && next() < 0.5) {
    probeCommand = `node -e "console.log(typeof require('./${files[0].path}'))"`;
    summary.push(fill(pick(next, CHECK_CITED), { ...values, probe: probeCommand }));
  } else if (!work.latent.care && work.shows.care) {
    summary.push(fill(pick(next, CHECK_UNBACKED), values));
  }
  if (unwarrantedShows && next() < 0.5) summary.push(pick(next, UNWARRANTED_NOTE));
  if (next() < 0.4) summary.push(pick(next, FILLER));
  // A summary that is unclear in a way no word gives away: the same sentences, the point last.
  if (!work.latent.clarity && !work.shows.clarity) summary.reverse();

  const tests = fill(has(work, 'claims_without_running_tests') ? pick(next, TESTS_CLAIMED) : pick(next, TESTS_RAN), values);
  const finalMessage = has(work, 'missing_sections') ? `${summary.join(' ')} ${tests}` : `## Summary\n${summary.join('\n')}\n\n## Tests\n${tests}`;
  return { files, extraFile, finalMessage, probeCommand };
}

/**
 * The code's own shortfalls that show: errors that say nothing, failures swallowed behind a
 * fallback value, background work nothing waits for. Drawn on their own, so the rest of the text
 * reads the same whatever they are.
 */
function codeShortfalls(work: HiddenWork, content: string): string {
  const next = seededRandom(work.styleSeed, 'code');
  const shows = (q: 'errorReporting' | 'loudFailures' | 'trackedAsync') => !work.latent[q] && work.shows[q];
  let code = content;
  if (shows('errorReporting')) {
    const bare = pick(next, BARE_ERROR);
    code = code.replace(/throw new \w+\([^;]*\);/g, bare);
  }
  if (shows('loudFailures')) code += pick(next, SWALLOW);
  if (shows('trackedAsync')) code += pick(next, BACKGROUND);
  return code;
}

function iterationRevised(work: HiddenWork): boolean {
  return work.iteration > 1 || work.stream !== 'draft';
}
