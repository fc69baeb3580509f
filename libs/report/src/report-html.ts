import type { TierWindow } from './tier-windows';

export interface DemoSummary {
  windows: TierWindow[];
  agreement: number | null;
  goldenKnownBadPassed: number;
  runs: number;
  seed: string;
  simulated: boolean;
  /** Whether each behavior rubric gates yet, one line each (as `loopwright rules calibrations` prints them). */
  calibrations?: readonly string[];
  /** The workload the runs came from, in words. */
  workload?: string;
  /** Where each decision key sits at the end, and why. */
  keys?: readonly { key: string; tier: string; why: string; answered: Record<'frontier' | 'resident' | 'deterministic' | 'human', number> }[];
}

/** The colour of each tier in every chart. */
export const TIER_COLORS = { frontier: '#d1495b', resident: '#edae49', deterministic: '#00798c', human: '#6c757d' } as const;
const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const percent = (n: number) => `${(n * 100).toFixed(1)}%`;

/** A stacked bar per window of runs: the share of decisions each tier made. */
export function tierShareSvg(windows: readonly TierWindow[], width = 760, height = 300): string {
  const pad = { left: 48, right: 16, top: 16, bottom: 48 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const barW = plotW / Math.max(1, windows.length);
  const bars = windows.map((w, i) => {
    let y = pad.top + plotH;
    const x = pad.left + i * barW + barW * 0.1;
    const segments = (['deterministic', 'resident', 'frontier', 'human'] as const).map((tier) => {
      const share = w[`${tier}Share`];
      const h = share * plotH;
      y -= h;
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="${TIER_COLORS[tier]}"><title>${tier} ${percent(share)} of runs ${w.runs}</title></rect>`;
    });
    const label = `<text x="${(x + barW * 0.4).toFixed(1)}" y="${height - pad.bottom + 16}" font-size="11" text-anchor="middle">${escape(w.runs)}</text>`;
    return segments.join('') + label;
  });
  const frontierLine = windows
    .map((w, i) => `${(pad.left + i * barW + barW / 2).toFixed(1)},${(pad.top + plotH - w.frontierShare * plotH).toFixed(1)}`)
    .join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const y = pad.top + plotH - t * plotH;
      return `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${pad.left - 6}" y="${y + 4}" font-size="11" text-anchor="end">${t * 100}%</text>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="tier share per window of runs">`,
    ticks,
    ...bars,
    `<polyline points="${frontierLine}" fill="none" stroke="#111" stroke-width="2" stroke-dasharray="4 3"/>`,
    `<text x="${pad.left + plotW / 2}" y="${height - 8}" font-size="12" text-anchor="middle">runs (window)</text>`,
    '</svg>',
  ].join('');
}

/** Cost per run as bars, oldest run on the left, with the highest cost marked on the axis. */
export function costPerRunSvg(points: readonly { label: string; costUsd: number }[], width = 760, height = 160): string {
  const pad = { left: 56, right: 16, top: 12, bottom: 28 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const top = Math.max(...points.map((p) => p.costUsd), 0) || 1;
  const barW = plotW / Math.max(1, points.length);
  const bars = points.map((p, i) => {
    const h = (p.costUsd / top) * plotH;
    const x = pad.left + i * barW + barW * 0.1;
    return `<rect x="${x.toFixed(1)}" y="${(pad.top + plotH - h).toFixed(1)}" width="${Math.max(1, barW * 0.8).toFixed(1)}" height="${h.toFixed(1)}" fill="#3d5a80"><title>${escape(p.label)}: $${p.costUsd.toFixed(4)}</title></rect>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="model cost per run">`,
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" stroke="#999"/>`,
    `<text x="${pad.left - 6}" y="${pad.top + 10}" font-size="11" text-anchor="end">$${top.toFixed(3)}</text>`,
    `<text x="${pad.left - 6}" y="${pad.top + plotH}" font-size="11" text-anchor="end">$0</text>`,
    ...bars,
    `<text x="${pad.left + plotW / 2}" y="${height - 8}" font-size="12" text-anchor="middle">runs, oldest to newest</text>`,
    '</svg>',
  ].join('');
}

/** The demo's report: the chart, the table, and what the figures mean. */
export function demoReportHtml(summary: DemoSummary): string {
  const rows = summary.windows
    .map(
      (w) =>
        `<tr><td>${escape(w.runs)}</td><td>${w.decisions}</td><td>${percent(w.frontierShare)}</td><td>${percent(w.residentShare)}</td><td>${percent(w.deterministicShare)}</td><td>${percent(w.humanShare)}</td><td>$${w.costUsd.toFixed(4)}</td></tr>`,
    )
    .join('\n');
  const legend = Object.entries(TIER_COLORS)
    .map(([tier, color]) => `<span style="display:inline-block;width:12px;height:12px;background:${color};margin:0 4px 0 12px"></span>${tier}`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loopwright demo — tier share over runs</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:right}th{text-align:right}.note{color:#666;max-width:760px}</style>
</head><body>
<h1>Tier share over runs</h1>
<p class="note">${summary.runs} runs${summary.workload ? ` of ${escape(summary.workload)}` : ''}, seed ${escape(summary.seed)}${summary.simulated ? ' — <strong>simulated</strong> models (a seeded workload; no model was called)' : ''}. Each bar is a window of runs; the dashed line is the frontier share.</p>
<div>${legend}</div>
${tierShareSvg(summary.windows)}
<table><thead><tr><th>runs</th><th>decisions</th><th>frontier</th><th>resident</th><th>deterministic</th><th>human</th><th>cost / run</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>Agreement with the frontier on held-out runs (asked in shadow): <strong>${summary.agreement === null ? 'n/a' : percent(summary.agreement)}</strong>.
Golden known-bad examples that pass under the promoted rules: <strong>${summary.goldenKnownBadPassed}</strong>.</p>
${summary.calibrations?.length ? `<h2>Behavior rubrics</h2>\n<pre>${escape(summary.calibrations.join('\n'))}</pre>` : ''}
${keysHtml(summary.keys ?? [])}
</body></html>
`;
}

/** Which tier each decision key sits at, why, and how the last window's runs were answered. */
function keysHtml(keys: NonNullable<DemoSummary['keys']>): string {
  if (keys.length === 0) return '';
  const rows = keys
    .map((k) => `<tr><td style="text-align:left">${escape(k.key)}</td><td style="color:${TIER_COLORS[k.tier as keyof typeof TIER_COLORS] ?? '#222'}">${escape(k.tier)}</td><td>${k.answered.frontier}/${k.answered.resident}/${k.answered.deterministic}</td><td style="text-align:left">${escape(k.why)}</td></tr>`)
    .join('\n');
  return `<h2>Where each decision key sits at the end</h2>
<table><thead><tr><th style="text-align:left">key</th><th>tier</th><th>last window frontier/resident/deterministic</th><th style="text-align:left">why</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}
