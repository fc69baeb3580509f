import type { RunSummary } from '@loopwright/projections';
import { dashboardPage } from './dashboard-page';

const hostile = '<script>alert(1)</script>"onmouseover="x';
const run: RunSummary = {
  runId: 'run-1', runOrdinal: 1, goalId: 'run-1', title: hostile, roles: ['engineer'], backend: 'sim', simulated: true, budgetUsd: 1,
  status: 'stuck', end: { reason: hostile, roles: [{ role: 'engineer', status: 'stuck' }] }, iterations: 2, costUsd: 0.25, submittedAt: '2026-01-05T08:00:00.000Z', startedAt: null, endedAt: null,
};

describe('the dashboard page', () => {
  const page = dashboardPage({
    tierShare: { windowSize: 1, windows: [], chart: [], trend: { first: null, latest: null, change: null }, perRun: [] },
    runs: [run],
    filter: { text: hostile },
    openReviews: [{
      reviewId: 'rv-1', runId: 'run-1', taskId: null, decisionId: null, ruleId: null, reason: 'scope-call', summary: hostile, items: [hostile],
      status: 'open', resolution: null, resolvedBy: null, requestedAt: null, resolvedAt: null,
    }],
    rules: [],
    position: 42,
  });

  it('escapes what came from the log wherever it is shown', () => {
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('"onmouseover="');
    expect(page.split('&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=&quot;x').length - 1).toBe(5);
  });

  it('loads nothing from outside the console', () => {
    const sources = [...page.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((s) => !s.startsWith('/'))).toEqual([]);
  });

  it("shows how the run ended, each role with its state", () => {
    expect(page).toMatch(/<span class="badge s-stuck">stuck<\/span>/);
    expect(page).toMatch(/data-testid="role-states">engineer <span class="badge s-stuck">stuck<\/span><\/span>/);
  });

  it('says the run is simulated and names the review as a scope call with a form to resolve it', () => {
    expect(page).toMatch(/<span class="sim">simulated<\/span>/);
    expect(page).toMatch(/<td>scope call<\/td>/);
    expect(page).toContain('data-action="/api/reviews/rv-1/resolve"');
    expect(page).toContain('1 open');
  });
});
