import type { RunTimeline } from '@loopwright/projections';
import { html, percent, usd } from './html';
import { layout } from './layout';
import { badge, pipelineStates } from './dashboard-page';

const itemValue = (i: RunTimeline['grades'][number]['items'][number]) =>
  i.kind === 'gate' ? html`<span class="${i.passed ? 'pass' : 'fail'}">${i.passed ? 'pass' : 'FAIL'}</span>` : i.score === null ? 'not scored' : String(i.score);

/** One run: its tasks, each iteration with its grade item by item and the feedback sent back, and every decision with its tier and cost. */
export function runPage(t: RunTimeline, position: number): string {
  const { run } = t;
  const iterations = t.iterations.map((it) => {
    const grade = t.grades.find((g) => g.gradeId === it.gradeId)!;
    return html`<article class="iteration" data-testid="iteration">
<h3>${it.role} · iteration ${it.iteration} · <span class="${it.passed ? 'pass' : 'fail'}">${it.passed ? 'passed' : 'failed'}</span>, overall ${it.overall.toFixed(2)} · grading cost ${usd(grade.costUsd)}</h3>
<table class="grade"><thead><tr><th>rubric</th><th>kind</th><th>item</th><th>result</th><th>decided by</th><th>evidence</th></tr></thead><tbody>
${grade.items.map((i) => html`<tr><td>${i.rubricId}</td><td>${i.kind}</td><td>${i.itemId}</td><td>${itemValue(i)}</td><td><span class="tier t-${i.tier}">${i.tier}</span></td><td class="evidence">${i.evidence}</td></tr>`)}
</tbody></table>
${it.feedback.length ? html`<h4>Feedback sent back</h4><ul class="feedback">${it.feedback.map((f) => html`<li><strong>${f.itemId}</strong> (${f.rubricId}, ${f.fixType}, for the ${f.owner}): ${f.delta}</li>`)}</ul>` : ''}
</article>`;
  });
  const decisions = t.decisions.map((d) => html`<tr><td class="num">${d.requestedSeq ?? '–'}</td><td><code>${d.key}</code></td><td>${d.routedTier ? html`<span class="tier t-${d.routedTier}">${d.routedTier}</span>` : '–'} ${d.reason ?? ''}</td>
<td>${d.tier ? html`<span class="tier t-${d.tier}">${d.tier}</span>` : 'pending'}${d.escalatedFrom ? html` (escalated from ${d.escalatedFrom})` : ''}</td><td>${d.verdict ?? '–'}${d.confidence !== null ? html` (${d.confidence.toFixed(2)})` : ''}</td>
<td class="num">${usd(d.costUsd)}</td><td class="num">${d.latencyMs === null ? '–' : `${Math.round(d.latencyMs)} ms`}</td><td>${d.shadow ? html`${d.shadow.tier}: ${d.shadow.verdict}` : ''}</td></tr>`);
  const tiers = Object.entries(t.costByTier).map(([tier, c]) => html`<li><span class="tier t-${tier}">${tier}</span> ${c.decisions} decision(s), ${usd(c.costUsd)}</li>`);
  const counted = Object.values(t.costByTier).reduce((n, c) => n + c.decisions, 0);
  const body = html`<div data-position="${position}" id="position"></div>
<p><a href="/">← all runs</a></p>
<section id="run" data-live>
<h1>${run.title} ${badge(run.status)}</h1>
<p class="meta"><code>${run.runId}</code> · ${run.roles.join(' → ')} · ${run.backend}${run.simulated ? ' (simulated)' : ''} · ${run.iterations} iteration(s) · cost ${usd(run.costUsd)} of ${usd(run.budgetUsd)} · frontier share ${percent(counted ? (t.costByTier['frontier']?.decisions ?? 0) / counted : null)}</p>
${run.end ? html`<p class="end" data-testid="run-end">Ended ${badge(run.status)}: ${run.end.reason}<br>${pipelineStates(run)}</p>` : ''}
<h2>Tasks</h2>
<ul class="tasks">${t.tasks.map((task) => html`<li>${task.role} (<code>${task.taskId}</code>): ${badge(task.status)} at iteration ${task.iteration}${task.finalOverall !== null ? html`, overall ${task.finalOverall.toFixed(2)}` : ''}${task.failureReason ? html` — ${task.failureReason}` : ''}</li>`)}</ul>
<h2>Iterations and grades</h2>
${iterations.length ? iterations : html`<p class="empty">No grade yet.</p>`}
<h2>Decisions by tier</h2><ul class="tiers">${tiers}</ul>
<table data-testid="decisions"><thead><tr><th>seq</th><th>decision</th><th>routed</th><th>answered by</th><th>verdict</th><th>cost</th><th>latency</th><th>spot-check</th></tr></thead><tbody>${decisions}</tbody></table>
${t.reviews.length ? html`<h2>Reviews</h2><ul>${t.reviews.map((r) => html`<li><code>${r.reviewId}</code> (${r.reason}): ${r.status}${r.resolution ? html` — ${r.resolution} by ${r.resolvedBy}` : ''}</li>`)}</ul>` : ''}
</section>`;
  return layout(run.title, body);
}
