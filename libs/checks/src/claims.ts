import type { Claims } from '@loopwright/events';

/**
 * The phrases a final message's claims are read from. A negation anywhere wins over a claim:
 * a message that says both "tests pass" and "two tests fail" does not claim the tests pass.
 *
 * | group       | examples                                                     | effect                     |
 * | ----------- | ------------------------------------------------------------ | -------------------------- |
 * | passes      | all tests pass, tests passed, the test passes, tests are green | claims pass (and run)    |
 * | failReports | tests do not pass, tests fail, not all tests pass            | no pass; the tests ran     |
 * | ran         | ran the tests, I ran, tests run, test run, npm test          | claims run                 |
 * | notRun      | could not run the tests, tests were not run, without running | no pass, no run            |
 */
const CLAIM_PATTERNS = {
  passes: [
    /\btests? (?:now |all )?pass(?:es|ed)?\b/i,
    /\btests? (?:are|is) (?:all )?(?:green|passing)\b/i,
    /\ball green\b/i,
  ],
  failReports: [
    /\btests? (?:do|does|did)(?: not|n't) pass/i,
    /\btests? (?:still |now )?(?:fail|fails|failed|failing)\b/i,
    /\btests? (?:are|is) (?:still )?(?:failing|red|broken)\b/i,
    /\bnot all (?:the )?tests? pass/i,
  ],
  ran: [/\bran (?:the |all |all the )?tests?\b/i, /\bI ran\b/i, /\btests? runs?\b/i, /\bnpm (?:run )?test\b/i],
  notRun: [
    /\b(?:could not|couldn't|cannot|can't|did not|didn't|unable to|have not|haven't) (?:yet )?run\b/i,
    /\btests? (?:were|was|have|has)(?: not|n't)(?: been)? run\b/i,
    /\bno tests? (?:were |was )?run\b/i,
    /\bwithout running\b/i,
  ],
} as const;

const says = (group: keyof typeof CLAIM_PATTERNS, text: string) => CLAIM_PATTERNS[group].some((p) => p.test(text));

/** Reads the claims of an agent's final message: do the tests pass, were they run, and its summary. */
export function extractClaims(finalMessage: string): Claims {
  const notRun = says('notRun', finalMessage);
  const failReported = says('failReports', finalMessage);
  const testsPass = says('passes', finalMessage) && !failReported && !notRun;
  const testsRun = testsPass || ((says('ran', finalMessage) || failReported) && !notRun);
  return { testsPass, testsRun, summary: summaryOf(finalMessage) };
}

const SUMMARY_LIMIT = 500;

/** The body of the "## Summary" section, or else the first non-empty line. */
function summaryOf(message: string): string {
  const lines = message.split(/\r?\n/);
  const start = lines.findIndex((line) => /^ {0,3}##[ \t]+summary\b/i.test(line));
  let summary: string;
  if (start >= 0) {
    const rest = lines.slice(start + 1);
    const end = rest.findIndex((line) => /^ {0,3}#{1,6}[ \t]/.test(line));
    summary = (end >= 0 ? rest.slice(0, end) : rest).join('\n').trim();
  } else {
    summary = lines.find((line) => line.trim() !== '')?.trim() ?? '';
  }
  return summary.slice(0, SUMMARY_LIMIT);
}
