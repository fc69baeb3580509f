import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { natsWithUsers } from '@loopwright/eventlog';
import { DEFAULT_WORKLOAD_PATH, loadWorkload } from '@loopwright/models';
import { parseDemoOptions } from './demo-options';
import { demoReportHtml, runsInWindow } from '@loopwright/report';
import { DemoProgress, runDemo } from './run-demo';
import type { PipelineFigures } from './role-shares';
import type { TierWindow } from '@loopwright/report';
import type { KeyStanding } from './scoreboard';

const ROOT = path.resolve(__dirname, '../../..');
const pct = (n: number) => `${(n * 100).toFixed(1).padStart(5)}%`;

/** NATS and PostgreSQL from the environment, or the project's own (scripts/services.mjs). */
function ensureServices(): { natsUrl: string; databaseUrl: string } {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'services.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const value = (name: string) => new RegExp(`^export ${name}='?([^'\\n]+)'?$`, 'm').exec(out)?.[1];
  const natsUrl = value('NATS_URL');
  const databaseUrl = value('DATABASE_URL');
  if (!natsUrl || !databaseUrl) throw new Error(`scripts/services.mjs did not say where NATS and PostgreSQL are:\n${out}`);
  return { natsUrl, databaseUrl };
}

function windowTable(windows: readonly TierWindow[]): string {
  const lines = ['runs        decisions  frontier  resident  determ.   human   cost/run  spot-checks/run'];
  for (const w of windows) {
    lines.push(
      `${w.runs.padEnd(11)} ${String(w.decisions).padStart(9)}  ${pct(w.frontierShare)}    ${pct(w.residentShare)}    ${pct(w.deterministicShare)}   ${pct(w.humanShare)}   $${w.costUsd.toFixed(4)}   $${(w.spotCheckCostUsd ?? 0).toFixed(4)}`,
    );
  }
  return lines.join('\n');
}

/** How many times cheaper a run was in the last window than in the first; null without both. */
function costFall(windows: readonly TierWindow[]): number | null {
  const first = windows[0];
  const last = windows[windows.length - 1];
  return first && last && last.costUsd > 0 ? Math.round((first.costUsd / last.costUsd) * 100) / 100 : null;
}

function keysTable(keys: readonly KeyStanding[], runsInLastWindow: number): string {
  const width = Math.max(...keys.map((k) => k.key.length), 3);
  const lines = [`${'key'.padEnd(width)}  tier           last window F/R/D   cost/run   why`];
  for (const k of keys) {
    const a = k.answered;
    const runs = Math.max(1, runsInLastWindow);
    lines.push(`${k.key.padEnd(width)}  ${k.tier.padEnd(13)}  ${`${a.frontier}/${a.resident}/${a.deterministic}`.padEnd(18)} $${(k.costUsd / runs).toFixed(4)}    ${k.why.slice(0, 140)}`);
  }
  return lines.join('\n');
}

function pipelineTable(figures: PipelineFigures): string {
  const lines = ['Per role (all decisions; spot-checks not counted):', 'role        tasks  grades  passed  frontier  resident  determ.   failed → local/upstream/person'];
  for (const r of figures.roles) {
    lines.push(
      `${r.role.padEnd(10)}  ${String(r.tasks).padStart(5)}  ${String(r.grades).padStart(6)}  ${String(r.passed).padStart(6)}  ${pct(r.share.frontier).padStart(8)}  ${pct(r.share.resident).padStart(8)}  ${pct(r.share.deterministic).padStart(7)}   ${r.routes.local}/${r.routes.upstream}/${r.routes.tierCeiling}`,
    );
  }
  const ends = Object.entries(figures.runEnds).map(([status, n]) => `${status} ${n}`).join(', ');
  const upstream = Object.entries(figures.upstreamTo).map(([stage, n]) => `${stage} ${n}`).join(', ') || 'none';
  lines.push(`Runs ended: ${ends}. Sent back upstream to: ${upstream}. Reviews asked of a person: ${figures.reviews}.`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseDemoOptions(process.argv.slice(2));
  const engineerOnly = options.roles.length === 1 && options.roles[0] === 'engineer';
  const workloadPath = path.resolve(process.cwd(), options.workload ?? (engineerOnly ? DEFAULT_WORKLOAD_PATH : path.join(ROOT, 'workloads', 'six-roles.yaml')));
  let workload: ReturnType<typeof loadWorkload>;
  try {
    workload = loadWorkload(workloadPath);
  } catch (error) {
    console.error(`demo: ${(error as Error).message}\nGive --workload a workload YAML such as workloads/engineer-parsing.yaml.`);
    process.exit(2);
  }
  const services = ensureServices();
  const stamp = new Date().toISOString().replace(/[-:T.Z]/g, '').slice(0, 14);
  const streamName = `DEMO_${stamp}`;
  const subjectRoot = `demo${stamp}`;
  const artifactBucket = `${streamName}_artifacts`;
  // every process of the demo connects as its own NATS user: on a server without users, one of the demo's own
  const nats = await natsWithUsers(services.natsUrl, { streamName, subjectRoot, objectStoreBucket: artifactBucket });
  Object.assign(process.env, nats.env);
  const { databaseUrl } = services;
  const log = { natsUrl: nats.url, streamName, subjectRoot, producer: 'submitter' as const, duplicateWindowMs: 120_000, artifactBucket };
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  say(`Loopwright demo: ${options.runs} runs of ${engineerOnly ? 'the engineer role' : `the pipeline ${options.roles.join(' → ')}`} on SIMULATED models (workload ${path.relative(ROOT, workloadPath)}, its seed ${workload.seed}; run seed ${options.seed}; no model is called).`);
  say(`Log: stream ${streamName}, subjects ${subjectRoot}.>  Projections: schema demo_${stamp}.`);

  const controller = new AbortController();
  process.once('SIGINT', () => {
    say('\nstopping: the services finish what they hold and shut down…');
    controller.abort();
  });
  const bar = new SingleBar(
    { format: ' {bar} {value}/{total} runs | frontier {frontier} resident {resident} deterministic {deterministic} | rules promoted {rules}', hideCursor: true, stream: process.stderr },
  );
  bar.start(options.runs, 0, { frontier: '-', resident: '-', deterministic: '-', rules: 0 });
  const shares = (p: DemoProgress) => {
    const total = p.frontier + p.resident + p.deterministic + p.human || 1;
    return { frontier: pct(p.frontier / total), resident: pct(p.resident / total), deterministic: pct(p.deterministic / total), rules: p.promotedRules };
  };
  const result = await runDemo({
    runs: options.runs,
    seed: options.seed,
    window: options.window,
    concurrency: options.concurrency,
    workloadPath,
    roles: options.roles,
    log,
    dbSchema: `demo_${stamp}`,
    databaseUrl,
    heldOutRuns: options.window,
    paceEvery: options.pace,
    onProgress: (p) => bar.update(p.ended, shares(p)),
    onNote: (line) => process.stderr.write(`\r\x1b[2K${line}\n`),
    signal: controller.signal,
  });
  bar.stop();

  say(`\nTier share per window of ${options.window} runs (all decisions; spot-checks not counted as decisions, their cost apart; in the held-out last window every retired decision is spot-checked):`);
  say(windowTable(result.windows));
  const first = result.windows[0];
  const last = result.windows[result.windows.length - 1];
  if (first && last) {
    say(`\nFrontier share: ${pct(first.frontierShare)} in the first window → ${pct(last.frontierShare)} in the last.`);
    say(`Cost per run: $${first.costUsd.toFixed(4)} → $${last.costUsd.toFixed(4)} (${costFall(result.windows)?.toFixed(1) ?? 'n/a'}× less).`);
  }
  if (!engineerOnly) say(`\n${pipelineTable(result.pipeline)}`);
  say(`\nWhere each decision key sits at the end (and how the last window's runs were answered):`);
  say(keysTable(result.keys, last ? runsInWindow(last) : 0));
  say(`Agreement with the frontier on the held-out runs (asked in shadow): ${result.agreement === null ? 'n/a' : pct(result.agreement)} over ${result.agreementChecks} checks.`);
  say(`Golden known-bad examples that pass under the promoted rules: ${result.goldenKnownBadPassed}.`);
  const { passes, meanPassMs, waitedMs } = result.outerLoop;
  say(`Outer loop: ${passes} passes recorded (${meanPassMs} ms each on average)${options.pace > 0 ? `, at least one every ${options.pace} runs ended; runs held back ${(waitedMs / 1000).toFixed(0)} s in all waiting for them` : ''}.`);
  say(`Audit chain: ${result.audit.ok ? `ok over ${result.audit.checked} events` : `DIVERGES at seq ${result.audit.firstDivergentSeq}`}.`);
  if (nats.own) {
    say(`NATS: the demo's own server at ${nats.url}, one user per service with the generated permissions; it stops with the demo.`);
  } else {
    say(`Verify it yourself: LOOP_STREAM=${streamName} LOOP_SUBJECT_ROOT=${subjectRoot} npm run loopwright -- audit verify`);
  }
  await nats.stop();

  const reportPath = path.resolve(ROOT, options.report);
  mkdirSync(path.dirname(reportPath), { recursive: true });
  writeFileSync(
    reportPath,
    demoReportHtml({
      windows: result.windows, agreement: result.agreement, goldenKnownBadPassed: result.goldenKnownBadPassed, runs: result.runs, seed: options.seed,
      simulated: true, workload: `${path.relative(ROOT, workloadPath)} (seed ${result.workloadSeed})`, keys: result.keys,
    }),
  );
  say(`Report: ${path.relative(process.cwd(), reportPath)}`);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        workload: path.relative(ROOT, workloadPath),
        workloadSeed: result.workloadSeed,
        seed: options.seed,
        windows: result.windows,
        costFall: costFall(result.windows),
        agreement: result.agreement,
        agreementChecks: result.agreementChecks,
        goldenKnownBadPassed: result.goldenKnownBadPassed,
        keys: result.keys.map(({ key, tier, ruleId, why, answered, costUsd, spotCheckCostUsd }) => ({ key, tier, ...(ruleId ? { ruleId } : {}), why, answered, costUsd, spotCheckCostUsd })),
        keyWindows: result.keyWindows,
        roles: result.pipeline.roles,
        runEnds: result.pipeline.runEnds,
        upstreamTo: result.pipeline.upstreamTo,
        reviews: result.pipeline.reviews,
        pace: options.pace,
        outerLoop: result.outerLoop,
      })}\n`,
    );
  }
  process.exitCode = result.aborted ? 130 : result.audit.ok ? 0 : 1;
}

main().catch((error) => {
  console.error(`demo failed: ${(error as Error).message}`);
  process.exit(1);
});
