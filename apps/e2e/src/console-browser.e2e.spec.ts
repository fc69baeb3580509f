import type { Browser, Page } from 'playwright-core';
import { createEvent } from '@loopwright/events';
import { goalOf, loadWorkload } from '@loopwright/models';
import { createTestSchema, databaseUrl, TestSchema } from '@loopwright/testing';
import { artifactPath, launchChromium } from './browser';
import { E2E_WORKLOAD, InnerLoopHarness, NO_DEFECTS, until, writeWorkload } from './harness';

const TOKEN = 'browser-test-console-token';

describe('the console in a browser (Chromium), on the services as processes with real NATS and PostgreSQL', () => {
  let harness: InnerLoopHarness;
  let schema: TestSchema;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;
  /** Requests the page made anywhere but the console. */
  const external: string[] = [];
  /** Script errors and console errors (a blocked resource, a violated content policy). */
  const errors: string[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('console_browser');
    harness = await InnerLoopHarness.open('console_browser', {
      DATABASE_URL: databaseUrl(),
      LOOP_DB_SCHEMA: schema.schema,
      LOOP_SIM_WORKLOAD: writeWorkload({ defects: { ...NO_DEFECTS, claims_without_running_tests: 1 }, fixOnFeedback: 1 }),
      CONSOLE_TOKEN: TOKEN,
      CONSOLE_POLL_MS: '200',
    });
    await harness.start('router', 'executor', 'grader', 'miner');
    await harness.start('console');
    consoleUrl = await harness.services.get('console')!.url;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('request', (request) => {
      if (!request.url().startsWith(consoleUrl)) external.push(request.url());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // Expected: 404 while a run just submitted is not projected yet; 409, the refused approval below.
      if (message.type() === 'error' && !/status of (404 \(Not Found\)|409 \(Conflict\))/.test(message.text())) errors.push(message.text());
    });
    await page.goto(consoleUrl);
    await page.fill('#token', TOKEN);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await schema?.drop();
  });

  it('submits a goal through the form and shows its run live until it is graded and done', async () => {
    const greet = goalOf(loadWorkload(E2E_WORKLOAD), 'greet');
    const form = page.locator('form.goal');
    await form.locator('[name=title]').fill(greet.title);
    await form.locator('[name=description]').fill(greet.description);
    await form.locator('[name=roles]').fill('engineer');
    await form.locator('[name=allowedPaths]').fill(greet.allowedPaths.join(', '));
    await form.locator('[name=testCommand]').fill(greet.testCommand);
    await form.locator('[name=budgetUsd]').fill('5');
    await form.locator('[name=backend]').selectOption('sim');
    await form.locator('[name=simGoal]').fill('greet');
    await form.locator('[name=yaml]').fill(`maxIterations: 3\nmaxTurns: 12\nseedFiles: ${JSON.stringify(greet.seedFiles)}\n`);
    await form.locator('button').click();
    const result = form.locator('output.result');
    await result.getByText(/^submitted run run-\w+ \(seq \d+\)/).waitFor();
    const runId = /submitted run (run-\w+)/.exec((await result.textContent())!)![1];

    await result.getByRole('link', { name: 'open its timeline' }).click();
    await page.waitForURL(`${consoleUrl}/runs/${runId}`);
    // The page updates itself as the miner projects the run: no reload.
    const heading = page.locator('#run h1');
    await heading.locator('.badge', { hasText: 'done' }).waitFor({ timeout: 90_000 });
    await expect(page.getByTestId('run-end').textContent()).resolves.toMatch(/^Ended done: every role of the pipeline passed \(engineer\)\s*engineer completed$/);
    const iterations = page.getByTestId('iteration');
    // The page shows what the log holds: one entry per graded iteration, failed ones with their feedback, the last one passed.
    const grades = (await harness.log.readRun(runId)).filter((e) => e.type === 'grade.recorded' && e.data.role === 'engineer');
    expect(grades.length).toBeGreaterThan(0);
    expect(await iterations.count()).toBe(grades.length);
    for (const [i, grade] of grades.entries()) {
      if (grade.type !== 'grade.recorded') continue;
      await expect(iterations.nth(i).textContent()).resolves.toMatch(new RegExp(`iteration ${grade.data.iteration} · ${grade.data.passed ? 'passed' : 'failed'}`));
      if (!grade.data.passed) expect(await iterations.nth(i).locator('ul.feedback li').count()).toBeGreaterThan(0);
    }
    await expect(iterations.nth(grades.length - 1).textContent()).resolves.toMatch(/· passed/);
    await page.screenshot({ path: artifactPath('console', 'run-timeline.png'), fullPage: true });

    const [goal] = await harness.log.readRun(runId);
    expect(goal).toMatchObject({ type: 'goal.submitted', producer: 'submitter', data: { title: greet.title, backend: 'sim', labels: { simGoal: 'greet' } } });
  }, 150_000);

  it("opens a run's timeline from the runs list, with every decision's tier and cost", async () => {
    await harness.submit('run-browser-2', 'greet');
    await page.goto(consoleUrl);
    const link = page.locator('#runs-table a', { hasText: 'run-browser-2' });
    await link.waitFor({ timeout: 60_000 });
    await link.click();
    await page.locator('#run h1 .badge', { hasText: 'done' }).waitFor({ timeout: 90_000 });
    const rows = page.getByTestId('decisions').locator('tbody tr');
    const events = await harness.log.readRun('run-browser-2');
    const decided = events.filter((e) => e.type === 'decision.completed' && !e.data.shadow);
    await until(async () => ((await rows.count()) === decided.length ? true : undefined));
    const tiers = await rows.locator('td:nth-child(4) .tier').allTextContents();
    expect(tiers.sort()).toEqual(decided.map((d) => (d.type === 'decision.completed' ? d.data.tier : '')).sort());
    expect(tiers).toEqual(expect.arrayContaining(['deterministic', 'frontier']));
    await expect(page.locator('#run .meta').textContent()).resolves.toMatch(/frontier share \d+\.\d%/);
  }, 150_000);

  it('resolves a review from the queue', async () => {
    await harness.log.append(createEvent({
      type: 'review.requested', aggregateId: 'rv-browser', producer: 'router',
      data: { reviewId: 'rv-browser', reason: 'scope-call', summary: 'Does "greet" include a locale?', items: ['grader:engineer:dimension:correctness'] },
    }));
    await page.goto(consoleUrl);
    const row = page.locator('#reviews tr[data-review="rv-browser"]');
    await row.waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toMatch(/scope call.*Does "greet" include a locale\?/s);
    await row.locator('[name=by]').fill('ada');
    await row.locator('[name=note]').fill('English only for now');
    await row.getByRole('button', { name: 'Accept' }).click();
    await page.locator('#flash', { hasText: 'review rv-browser resolved: accept' }).waitFor();
    await row.waitFor({ state: 'detached', timeout: 60_000 });

    const resolved = [];
    for await (const stored of harness.log.replay({ filter: `${harness.config.subjectRoot}.review.rv-browser.>` })) resolved.push(stored.event);
    expect(resolved.at(-1)).toMatchObject({ type: 'review.resolved', producer: 'submitter', data: { resolution: 'accept', by: 'ada', note: 'English only for now' } });
  }, 120_000);

  it('approves a validated rule, and shows the refusal of one that is not validated yet', async () => {
    const proposed = (ruleId: string, role: 'engineer' | 'tester' = 'engineer') => createEvent({
      type: 'rule.proposed', aggregateId: ruleId, producer: 'miner',
      data: {
        ruleId, kind: 'deterministic', key: `grader:${role}:gate:claims_match_evidence`, role,
        predicate: { all: [{ feature: 'claims_tests_pass', eq: true }, { feature: 'rerun_passed', eq: false }] },
        verdictWhenTrue: 'fail', verdictWhenFalse: 'pass', scopeCall: true, evidence: { support: 130, precision: 0.99, recall: 0.95, exampleEventIds: [] },
      },
    });
    // The early rule's key is one no run here decides: the miner revalidates a proposed rule of a key
    // with history on its next pass, which could validate or reject it before the click below.
    await harness.log.appendMany([
      proposed('r-browser-early', 'tester'),
      proposed('r-browser'),
      createEvent({
        type: 'rule.validated', aggregateId: 'r-browser', producer: 'miner',
        data: { ruleId: 'r-browser', golden: { checked: 12, changed: [] }, history: { precision: 0.99, recall: 0.95, n: 130 } },
      }),
    ]);
    await page.goto(consoleUrl);
    const row = page.locator('#rules tr[data-rule="r-browser"]');
    await row.locator('.badge', { hasText: 'validated' }).waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toMatch(/golden 12 checked, 0 changed; history precision 0\.990 recall 0\.950 on 130/);

    const early = page.locator('#rules tr[data-rule="r-browser-early"] form').first();
    await early.locator('[name=by]').fill('ada');
    await early.getByRole('button', { name: 'Approve' }).click();
    await early.locator('output.error', { hasText: 'is proposed, not validated' }).waitFor();

    const approve = row.locator('form').first();
    await approve.locator('[name=by]').fill('ada');
    await approve.locator('[name=note]').fill('checked the golden set');
    await approve.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#flash', { hasText: 'rule r-browser: rule.approved' }).waitFor();
    await page.locator('#rules tr[data-rule="r-browser"]', { hasText: 'approved by ada' }).waitFor({ timeout: 60_000 });

    const approvals = [];
    for await (const stored of harness.log.replay({ filter: `${harness.config.subjectRoot}.rule.r-browser.submitter.rule.approved` })) approvals.push(stored.event?.data);
    expect(approvals).toEqual([{ ruleId: 'r-browser', by: 'ada', note: 'checked the golden set' }]);
  }, 120_000);

  it('shows the frontier share trend and the tier-share chart, and loaded nothing from outside the console, without a script error', async () => {
    await page.goto(consoleUrl);
    await expect(page.getByTestId('frontier-latest').textContent()).resolves.toMatch(/^\d+\.\d%$/);
    expect(await page.getByTestId('tier-chart').locator('svg rect').count()).toBeGreaterThan(0);
    // The live status reads "connecting…" until the page's event stream opens: wait for it, not for a first read.
    await page.locator('#live-status', { hasText: /live · projections at seq \d+/ }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: artifactPath('console', 'dashboard.png'), fullPage: true });
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});
