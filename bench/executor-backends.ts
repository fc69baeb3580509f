import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoalSubmitted } from '@loopwright/events';
import { createProvider } from '@loopwright/models';
import { ManagedScript, messageReply, startFakeManagedAgentsServer, startFakeMessagesServer, tarOf } from '@loopwright/models/testing';
import { agentSdkBackend } from '../apps/executor/src/backends/agent-sdk/agent-sdk-backend';
import type { BackendDeps, ExecutorBackend } from '../apps/executor/src/backends/executor-backend';
import { managedBackend } from '../apps/executor/src/backends/managed/managed-backend';
import { localBackend } from '../apps/executor/src/backends/tool-loop-backends';
import type { AgentAssignment } from '../apps/executor/src/domain/decide';
import { machineFacts, openBenchLog, parseFlags, percentiles, reportResults, round, Row, runBenchmark, startProgress } from './support';

const NAME = 'executor-backends';

const flags = parseFlags(NAME, {
  sessions: { default: 12, help: 'sessions run on each backend' },
});

const SUM_TEST = "const assert = require('node:assert/strict');\nassert.equal(require('../src/sum').sum(2, 3), 5);\n";
const SUM = 'module.exports = { sum: (a, b) => a + b };\n';
const FINAL = '## Summary\nAdded sum.\n\n## Tests\nI ran the tests: all tests pass.';
const MODEL = 'claude-sonnet-4-6';

/**
 * What each executor backend costs on its own side per session, on the same task (write a file,
 * run the test in the sandbox, report), with the model and the runtime answering at once on local
 * servers: the tool loop is the baseline.
 */
void runBenchmark(async (teardown) => {
  const bench = await openBenchLog(NAME, 'executor');
  teardown(() => bench.drop());
  const model = await startFakeMessagesServer();
  teardown(() => model.close());
  model.setHandler((request) => {
    const prefix = (request.body.tools as { name: string }[]).some((t) => t.name.startsWith('mcp__workspace__')) ? 'mcp__workspace__' : '';
    const turn = (request.body.messages as { role: string }[]).filter((m) => m.role === 'assistant').length;
    if (turn === 0) return messageReply([{ type: 'tool_use', id: 'toolu_w', name: `${prefix}write_file`, input: { path: 'src/sum.js', content: SUM } }]);
    if (turn === 1) return messageReply([{ type: 'tool_use', id: 'toolu_r', name: `${prefix}run_command`, input: { command: 'node test/sum.test.js' } }]);
    return messageReply([{ type: 'text', text: FINAL }]);
  });
  const runtime = await startFakeManagedAgentsServer();
  teardown(() => runtime.close());
  const outputs = [{ filename: 'workspace.tar', bytes: tarOf([{ path: 'test/sum.test.js', content: SUM_TEST }, { path: 'src/sum.js', content: SUM }]) }];
  runtime.setScripts(() =>
    new ManagedScript('bench')
      .tool('bash', { command: 'tar -xf /mnt/session/uploads/workspace.tar -C /workspace' }, '')
      .tool('write', { file_path: '/workspace/src/sum.js', content: SUM }, 'written')
      .tool('bash', { command: 'cd /workspace && node test/sum.test.js' }, '')
      .tool('bash', { command: 'tar -cf /mnt/session/outputs/workspace.tar -C /workspace .' }, '')
      .say(FINAL)
      .idle()
      .build({ outputs, beatMs: 1 }),
  );
  const stateDir = mkdtempSync(path.join(tmpdir(), 'bench-agent-sdk-'));
  chmodSync(stateDir, 0o755);
  teardown(async () => rmSync(stateDir, { recursive: true, force: true }));

  const apiKey = 'sk-ant-bench-executor-backends';
  const client = new Anthropic({ apiKey, baseURL: runtime.url, maxRetries: 0 });
  const backends: Record<string, ExecutorBackend> = {
    'local (tool loop)': localBackend(() => createProvider({ backend: 'anthropic', apiKey, baseURL: model.url, model: MODEL })),
    'claude-agent-sdk': agentSdkBackend({ apiKey, baseURL: model.url, model: MODEL, sessionTimeLimitMs: 60_000, stateDir }),
    managed: managedBackend({ client: () => client, model: MODEL, sessionTimeLimitMs: 60_000, outputLookups: 20, outputLookupDelayMs: 5 }),
  };
  const deps: BackendDeps = {
    append: (e) => bench.log.append(e), readRun: (runId) => bench.log.readRun(runId), artifacts: await bench.log.artifacts(), commandTimeoutMs: 20_000,
    spend: await bench.log.budgets(), turnEstimateUsd: 0.1,
  };
  const goal = (backend: string) => GoalSubmitted.parse({
    goalId: 'sum', title: 'Add sum', description: 'sum(a, b)', roles: ['engineer'], allowedPaths: ['src/**'], testCommand: 'node test/sum.test.js',
    seedFiles: [{ path: 'test/sum.test.js', content: SUM_TEST }], budgetUsd: 5, backend,
  });
  const names = Object.keys(backends);
  const session = async (name: string, n: number) => {
    const runId = `b${n}-${names.indexOf(name)}-${Date.now().toString(36)}`;
    const assignment: AgentAssignment = {
      runId, taskId: `${runId}-engineer`, role: 'engineer', iteration: 1, decisionId: `${runId}-d`, key: 'executor:engineer:draft', tier: 'frontier', feedback: [],
      causationId: '00000000-0000-7000-8000-000000000000',
    };
    const began = performance.now();
    await (await bench.log.budgets()).openGoal(runId, 5, false);
    const result = await backends[name].runSession(goal(name.startsWith('local') ? 'local' : name), assignment, deps);
    if (result.endedBy !== 'finished') throw new Error(`${name}: the session ended by ${result.endedBy}`);
    return performance.now() - began;
  };

  // One unmeasured session each: the SDK module, the CLI's first start, the sandbox probe.
  for (const name of names) await session(name, -1);
  const samples = new Map<string, number[]>(names.map((n) => [n, []]));
  const progress = startProgress('sessions', flags.sessions * names.length, 'sessions');
  let done = 0;
  for (let i = 0; i < flags.sessions; i++) {
    for (const name of names) {
      samples.get(name)!.push(await session(name, i));
      progress.update(++done);
    }
  }
  progress.stop();

  const figures = new Map([...samples].map(([name, values]) => [name, percentiles(values)]));
  const baseline = figures.get('local (tool loop)')!;
  const rows: Row[] = [...figures].map(([name, f]) => ({
    backend: name, sessions: f.count, 'mean ms': round(f.mean), 'p50 ms': round(f.p50), 'p90 ms': round(f.p90), 'mean ratio': round(f.mean / baseline.mean),
  }));
  reportResults({
    benchmark: NAME,
    machine: await machineFacts(undefined),
    params: { sessions: flags.sessions },
    measuredPaths: ['apps/executor/src/backends', 'apps/executor/src/agent'],
    tables: { 'wall time per session (write a file, run the test, report), the backends taking turns': rows },
    notes: [
      'the model (Messages API) and the Managed Agents runtime are local servers answering at once: the figures are each backend\'s own cost',
      'local and claude-agent-sdk run the test command in bubblewrap; managed only records the runtime\'s events (its commands run in the runtime)',
      'managed includes the REST calls, the workspace archive up and back, and 18 script beats of 1 ms on the local runtime',
      'ratio: against the local tool loop measured in the same run',
    ],
  });
});
