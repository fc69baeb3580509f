import type { Claims } from '@loopwright/events';

/**
 * The phrases claims are read from, in the ways agents say them. Within one message a failure
 * report or a not-run wins over a pass claim: "tests pass" beside "two tests fail" is no pass claim.
 * A pass or run phrase with a negation just before it ("could not verify", "haven't confirmed it
 * works") does not count.
 *
 * | group       | examples                                                                   | effect             |
 * | ----------- | -------------------------------------------------------------------------- | ------------------ |
 * | passes      | all tests pass, (doctests) pass, 12 passed, verified, confirmed it works,   | claims pass (+run) |
 * |             | everything passes, the suite is green, all passing,                        |                    |
 * |             | ran the existing tests to ensure no regressions, works as expected         |                    |
 * | failReports | tests do not pass, tests fail, not all tests pass, 2 failed                 | no pass; tests ran |
 * | ran         | ran the tests, I ran, tests run, npm test                                   | claims run         |
 * | notRun      | could not run the tests, tests were not run, without running, not tested    | no pass, no run    |
 */
const CLAIM_PATTERNS = {
  passes: [
    /\b(?:doc|unit |the )?tests?\)? (?:now |all |also |still )?pass(?:es|ed)?\b/i,
    /\btests? (?:are|is|were) (?:all |now )?(?:green|passing)\b/i,
    /\ball (?:\d+ )?(?:tests?|checks?) (?:are )?(?:green|passing|pass(?:ed)?|succeed(?:ed)?)\b/i,
    /\ball green\b/i,
    // with no test named, only where the clause ends: "the values all pass through" claims nothing
    /\b(?:everything|all|(?:the )?(?:test )?suites?)\s+(?:now |still |also )?(?:is |are )?(?:green|passing|pass(?:es|ed)?)(?=\s*(?:[.!,;:)]|$)|\s+(?:now|too|again|locally|cleanly)\b)/im,
    /\b\d+ (?:tests? )?passed\b/i,
    /\bverified\b/i,
    /\bconfirm(?:ed|s)?\b[^.\n]*?\b(?:works?|working|fix(?:ed|es)?|resolved|correct(?:ly)?|pass(?:es|ed)?)\b/i,
    /\b(?:ensure|ensuring|confirm(?:ed|ing)?|verify|verifying|with|are|there are|introduced?)\s+no regressions\b/i,
    /\b(?:works|working|behaves) (?:as expected|correctly|now|as intended)\b/i,
    /\btests? (?:ran|run|runs|completed?) successfully\b/i,
  ],
  failReports: [
    /\btests? (?:do|does|did)(?: not|n't) pass/i,
    /\btests? (?:still |now |also )?(?:fail|fails|failed|failing)\b/i,
    /\btests? (?:are|is) (?:still )?(?:failing|red|broken)\b/i,
    /\bnot all (?:the )?tests? pass/i,
    /\b[1-9]\d* (?:tests? )?(?:failed|failing|failures?)\b/i,
  ],
  ran: [/\bran (?:the |all |all the |existing |the existing )?tests?\b/i, /\bI ran\b/i, /\btests? runs?\b/i, /\bnpm (?:run )?test\b/i, /\bpytest\b/i],
  notRun: [
    /\b(?:could not|couldn't|cannot|can't|did not|didn't|unable to|have not|haven't|was not able to|wasn't able to) (?:yet )?(?:run|test|execute)\b/i,
    /\btests? (?:were|was|have|has)(?: not|n't)(?: been)? run\b/i,
    /\bno tests? (?:were |was )?run\b/i,
    /\bwithout (?:running|testing)\b/i,
    /\b(?:not|untested|unverified) (?:been )?(?:tested|verified)\b/i,
  ],
} as const;

/** A negation in the few words before a phrase turns it around: "could not verify", "never confirmed". */
const NEGATED_BEFORE = /\b(?:not|never|no|unable to|without|cannot|can't|couldn't|didn't|haven't|hasn't|wasn't|weren't|won't)\b[^.;:\n]{0,24}$/i;

interface Match {
  group: keyof typeof CLAIM_PATTERNS;
  phrase: string;
}

function firstMatch(group: keyof typeof CLAIM_PATTERNS, text: string): Match | null {
  for (const pattern of CLAIM_PATTERNS[group]) {
    const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
    for (const m of text.matchAll(new RegExp(pattern.source, flags))) {
      const before = text.slice(Math.max(0, m.index - 40), m.index);
      if (group === 'passes' || group === 'ran') {
        if (NEGATED_BEFORE.test(before)) continue;
      }
      return { group, phrase: sentenceAround(text, m.index, m[0].length) };
    }
  }
  return null;
}

function sentenceAround(text: string, index: number, length: number): string {
  const start = Math.max(text.lastIndexOf('\n', index), ...['. ', '! ', '? '].map((s) => text.lastIndexOf(s, index) + 1));
  const stops = ['\n', '. ', '! ', '? '].map((s) => text.indexOf(s, index + length)).filter((i) => i >= 0);
  const end = stops.length > 0 ? Math.min(...stops) + 1 : text.length;
  return text.slice(Math.max(0, start), end).trim().slice(0, 200);
}

/** What one message says about the tests, or null when it says nothing. */
function claimsOf(message: string): Omit<Claims, 'summary'> | null {
  const notRun = firstMatch('notRun', message);
  const failed = firstMatch('failReports', message);
  const passed = firstMatch('passes', message);
  const ran = firstMatch('ran', message);
  if (notRun) return { testsPass: false, testsRun: false, evidence: notRun.phrase };
  if (failed) return { testsPass: false, testsRun: true, evidence: failed.phrase };
  if (passed) return { testsPass: true, testsRun: true, evidence: passed.phrase };
  if (ran) return { testsPass: false, testsRun: true, evidence: ran.phrase };
  return null;
}

/** How many of the agent's messages before the final one are read for claims. */
export const CLAIM_LOOKBACK = 3;

/**
 * Reads the claims of an agent's work: do the tests pass, were they run, the phrase that says so,
 * and the summary. The final message is read first; when it says nothing about the tests, the
 * agent's last few messages before it are (newest first): the newest message that says something decides.
 */
export function extractClaims(finalMessage: string, earlierMessages: readonly string[] = []): Claims {
  const messages = [finalMessage, ...earlierMessages.slice(-CLAIM_LOOKBACK).reverse()];
  for (const message of messages) {
    const claims = claimsOf(message);
    if (claims) return { ...claims, summary: summaryOf(finalMessage) };
  }
  return { testsPass: false, testsRun: false, evidence: '', summary: summaryOf(finalMessage) };
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
