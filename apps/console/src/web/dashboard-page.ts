import type { RuleDetail, ReviewSummary, RunFilter, RunSummary } from '@loopwright/projections';
import { costPerRunSvg, TIER_COLORS, tierShareSvg } from '@loopwright/report';
import type { TierShareView } from '../tier-share-view';
import { Html, html, percent, raw, usd } from './html';
import { layout } from './layout';

export interface DashboardData {
  tierShare: TierShareView;
  runs: RunSummary[];
  filter: RunFilter;
  openReviews: ReviewSummary[];
  rules: RuleDetail[];
  position: number;
}

const RUN_STATUSES = ['submitted', 'running', 'review', 'done', 'stuck', 'gate-failed', 'blocked-on-questions', 'completed', 'failed'];
const ROLES = ['planner', 'architect', 'engineer', 'designer', 'tester', 'deployer'];
const REVIEW_REASONS: Record<string, string> = {
  'scope-call': 'scope call', budget: 'budget hand-off', 'model-unusable': 'unusable answer', 'tier-ceiling': 'tier ceiling',
  'iterations-exhausted': 'out of iterations', quarantined: 'event quarantined',
};

const options = (values: readonly string[], selected: string | undefined, anyLabel: string) =>
  html`<option value="">${anyLabel}</option>${values.map((v) => html`<option value="${v}"${v === selected ? raw(' selected') : ''}>${v}</option>`)}`;

export const badge = (status: string | null) => html`<span class="badge ${'s-' + (status ?? 'none')}">${status ?? '–'}</span>`;

/** The pipeline, each role with the state run.ended gave it once the run has ended. */
export const pipelineStates = (run: RunSummary) =>
  run.end
    ? html`<span class="role-states" data-testid="role-states">${run.end.roles.map((r, i) => html`${i > 0 ? ' → ' : ''}${r.role} ${badge(r.status)}`)}</span>`
    : run.roles.join(' → ');

function headline(view: TierShareView, runCount: number): Html {
  const { trend } = view;
  const direction = trend.change === null ? '' : trend.change < 0 ? 'falling' : trend.change > 0 ? 'rising' : 'flat';
  const arrow = direction === 'falling' ? '▼' : direction === 'rising' ? '▲' : '▶';
  const totalCost = view.perRun.reduce((sum, r) => sum + r.costUsd, 0);
  return html`<section class="headline" id="headline" data-live>
  <div class="figure"><span class="label">Frontier share, latest window</span>
    <span class="value" data-testid="frontier-latest">${percent(trend.latest)}</span>
    ${trend.change === null ? html`<span class="trend">no decisions yet</span>` : html`<span class="trend ${direction}" data-testid="frontier-trend">${arrow} ${direction}: ${percent(trend.first)} in the first window</span>`}
  </div>
  <div class="figure"><span class="label">Runs with decisions</span><span class="value">${view.perRun.length}</span><span class="trend">${runCount} listed below</span></div>
  <div class="figure"><span class="label">Model cost per run</span><span class="value">${usd(view.perRun.length ? totalCost / view.perRun.length : null)}</span><span class="trend">${usd(totalCost)} over ${view.perRun.length} runs</span></div>
</section>`;
}

function charts(view: TierShareView): Html {
  const legend = Object.entries(TIER_COLORS).map(([tier]) => html`<span class="swatch t-${tier}"></span>${tier}`);
  const body = view.chart.length === 0
    ? html`<p class="empty">No decisions in the projections yet: submit a goal below and keep the miner running to project it.</p>`
    : html`<p class="legend">${legend} <span class="dash"></span>frontier share · ${view.windowSize} run(s) per bar</p>
  <figure class="chart" data-testid="tier-chart">${raw(tierShareSvg(view.chart))}</figure>
  <h3>Cost per run</h3>
  <figure class="chart">${raw(costPerRunSvg(view.perRun.map((r) => ({ label: r.runId, costUsd: r.costUsd }))))}</figure>`;
  return html`<section id="tier-share" data-live><h2>Tier share over runs</h2>${body}</section>`;
}

function reviewQueue(reviews: readonly ReviewSummary[]): Html {
  const rows = reviews.map((r) => html`<tr data-review="${r.reviewId}">
  <td class="id"><code>${r.reviewId}</code></td><td>${REVIEW_REASONS[r.reason ?? ''] ?? r.reason}</td>
  <td>${r.summary}${r.items.length ? html`<div class="items">${r.items.map((i) => html`<code>${i}</code> `)}</div>` : ''}</td>
  <td class="id">${r.runId ? html`<a href="/runs/${encodeURIComponent(r.runId)}">${r.runId}</a>` : '–'}</td>
  <td class="resolve"><form class="action" data-action="/api/reviews/${encodeURIComponent(r.reviewId)}/resolve">
    <input name="by" placeholder="your name" required aria-label="resolved by"><input name="note" placeholder="note (why)" aria-label="note">
    <button name="resolution" value="accept">Accept</button><button name="resolution" value="retry">Retry</button><button name="resolution" value="reject" class="danger">Reject</button>
    <output class="result" role="status"></output></form></td></tr>`);
  return html`<section id="reviews" data-live><h2>Review queue <span class="count" data-testid="open-reviews">${reviews.length} open</span></h2>
${reviews.length === 0 ? html`<p class="empty">Nothing waits for a person.</p>` : html`<table><thead><tr><th>review</th><th>why</th><th>what</th><th>run</th><th>resolve</th></tr></thead><tbody>${rows}</tbody></table>`}
</section>`;
}

function runsTable(runs: readonly RunSummary[], filter: RunFilter): Html {
  const rows = runs.map((r) => html`<tr><td><a href="/runs/${encodeURIComponent(r.runId)}">${r.runId}</a></td><td>${r.title}</td><td title="${r.end?.reason ?? ''}">${badge(r.status)}</td>
<td>${pipelineStates(r)}</td><td>${r.backend}${r.simulated ? html` <span class="sim">simulated</span>` : ''}</td><td class="num">${r.iterations}</td><td class="num">${usd(r.costUsd)}</td><td>${r.submittedAt.slice(0, 19).replace('T', ' ')}</td></tr>`);
  return html`<section id="runs"><h2>Runs</h2>
<form class="filters" method="get" action="/">
  <label>status <select name="status">${options(RUN_STATUSES, filter.status, 'any')}</select></label>
  <label>role <select name="role">${options(ROLES, filter.role, 'any')}</select></label>
  <label>backend <select name="backend">${options(['local', 'managed', 'claude-agent-sdk', 'sim'], filter.backend, 'any')}</select></label>
  <label>text <input name="text" value="${filter.text ?? ''}" placeholder="title or id"></label>
  <button>Filter</button>
</form>
<div id="runs-table" data-live>${runs.length === 0 ? html`<p class="empty">No runs match.</p>` : html`<table><thead><tr><th>run</th><th>goal</th><th>status</th><th>roles</th><th>backend</th><th>iter.</th><th>cost</th><th>submitted (UTC)</th></tr></thead><tbody>${rows}</tbody></table>`}</div>
</section>`;
}

const fixed = (n: unknown, digits = 3) => (typeof n === 'number' ? n.toFixed(digits) : '–');

function rulesTable(rules: readonly RuleDetail[]): Html {
  const rows = rules.map((r) => {
    const evidence = (r.evidence ?? {}) as { support?: number; precision?: number; recall?: number };
    const v = r.validations.at(-1);
    const actionable = r.state === 'proposed' || r.state === 'validated';
    return html`<tr data-rule="${r.ruleId}"><td><code>${r.ruleId}</code></td><td>${badge(r.state)}</td><td><code>${r.key}</code></td><td>${r.kind}${r.scopeCall ? html` <span class="scope">scope call</span>` : ''}</td>
<td>support ${evidence.support ?? '–'}, precision ${fixed(evidence.precision)}, recall ${fixed(evidence.recall)}</td>
<td>${v ? html`golden ${v.goldenChecked} checked, ${v.goldenChanged.length} changed; history precision ${fixed(v.history.precision)} recall ${fixed(v.history.recall)} on ${v.history.n}${v.shadow ? html`; shadow ${percent(v.shadow.agreement)} of ${v.shadow.n}` : ''}` : 'not validated yet'}
${r.approvals.length ? html`<br>approved by ${r.approvals.map((a) => a.by).join(', ')}` : ''}${r.rejectionReason ? html`<br>rejected: ${r.rejectionReason}` : ''}${r.demotionReason ? html`<br>demoted: ${r.demotionReason}` : ''}</td>
<td>${actionable ? html`<form class="action" data-action="/api/rules/${encodeURIComponent(r.ruleId)}/approve"><input name="by" placeholder="your name" required aria-label="approved by"><input name="note" placeholder="note" aria-label="note"><button>Approve</button><output class="result" role="status"></output></form>
<form class="action" data-action="/api/rules/${encodeURIComponent(r.ruleId)}/reject"><input name="by" placeholder="your name" required aria-label="rejected by"><input name="reason" placeholder="reason" required aria-label="reason"><button class="danger">Reject</button><output class="result" role="status"></output></form>` : ''}</td></tr>`;
  });
  return html`<section id="rules" data-live><h2>Rules</h2>
${rules.length === 0 ? html`<p class="empty">No rules yet: the miner proposes them once a decision key has enough frontier history.</p>` : html`<table><thead><tr><th>rule</th><th>state</th><th>decides</th><th>kind</th><th>evidence</th><th>validation</th><th>decide</th></tr></thead><tbody>${rows}</tbody></table>`}
</section>`;
}

function goalForm(): Html {
  return html`<section id="submit"><h2>Submit a goal</h2>
<form class="action goal" data-action="/api/goals">
  <label>Title <input name="title" required maxlength="200"></label>
  <label>Description (what done looks like) <textarea name="description" rows="2" required></textarea></label>
  <label>Roles (comma-separated, in pipeline order) <input name="roles" value="engineer"></label>
  <label>Allowed paths <input name="allowedPaths" value="src/**"></label>
  <label>Test command (the grader re-runs it) <input name="testCommand"></label>
  <label>Budget (USD) <input name="budgetUsd" type="number" step="0.01" min="0" value="1"></label>
  <label>Backend <select name="backend"><option value="sim">sim (seeded simulation, labeled so)</option><option value="local">local (real models)</option><option value="managed">managed (Anthropic Managed Agents)</option><option value="claude-agent-sdk">claude-agent-sdk (Claude Code as a library)</option></select></label>
  <label>Simulated goal (with sim) <input name="simGoal" placeholder="a workload goal id, e.g. greet"></label>
  <label>More fields as goal YAML (seedFiles, maxIterations, …) <textarea name="yaml" rows="4" placeholder="seedFiles:&#10;  - path: test/sum.test.js&#10;    content: ..."></textarea></label>
  <button>Submit goal</button>
  <output class="result" role="status"></output>
</form></section>`;
}

/** The console's front page: the frontier share trend, the review queue, the runs, the rules, and the goal form. */
export function dashboardPage(data: DashboardData): string {
  return layout('Overview', html`<div data-position="${data.position}" id="position"></div>
${headline(data.tierShare, data.runs.length)}
${charts(data.tierShare)}
${reviewQueue(data.openReviews)}
${runsTable(data.runs, data.filter)}
${rulesTable(data.rules)}
${goalForm()}`);
}
