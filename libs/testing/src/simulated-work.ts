import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  computeOutputFeatures, computeTraceFeatures, deliveredChange, deliveredFeatures, extractClaims, FeatureVector, pathAllowed,
} from '@loopwright/checks';
import type { TraceStep } from '@loopwright/events';
import { workTexts } from '@loopwright/mining';
import { createSimProvider, DraftStream, goalOf, WorkloadSpec } from '@loopwright/models';
import type { AgentMessage, ContentBlock, SimAgentContext } from '@loopwright/models';

/** One simulated draft as the grader would see it: its trace, what it delivered, the re-run, the features and texts. */
export interface SimulatedWork {
  ctx: SimAgentContext;
  drafter: 'frontier' | 'resident';
  steps: TraceStep[];
  finalMessage: string;
  endedBy: 'finished' | 'turn_limit';
  delivered: { path: string; content: string }[];
  rerunPassed: boolean;
  features: FeatureVector;
  texts: string[];
}

type Files = ReadonlyMap<string, string>;

type CommandOutcome = { exitCode: number; output: string };

/**
 * Runs a command on files in a scratch directory: each distinct (command, files) runs once, and
 * callers asking for the same one at once share its run, so drafts can be simulated side by side.
 */
export function cachedCommandRunner(): (command: string, files: Files) => Promise<CommandOutcome> {
  const cache = new Map<string, Promise<CommandOutcome>>();
  return (command, files) => {
    const key = createHash('sha256').update(JSON.stringify([command, [...files].sort()])).digest('hex');
    let result = cache.get(key);
    if (!result) {
      result = runInScratchDirectory(command, files);
      cache.set(key, result);
    }
    return result;
  };
}

async function runInScratchDirectory(command: string, files: Files): Promise<CommandOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'simulated-work-'));
  try {
    for (const [path, content] of files) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    return await new Promise<CommandOutcome>((resolve) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const child = spawn(command, { cwd: dir, shell: true, env: { PATH: process.env['PATH'] }, timeout: 10_000 });
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error) => resolve({ exitCode: 1, output: error.message }));
      child.on('close', (code) => resolve({ exitCode: code ?? 1, output: Buffer.concat([...stdout, ...stderr]).toString('utf8').slice(-2_000) }));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Walks the sim agent through one draft as the executor would (tools on a file map, commands run
 * for real), then computes what the grader records: the re-run of the goal's tests on the seed laid
 * over the delivered files, the features, and the texts a resident reads. No log, no sandbox.
 */
export async function simulateDraft(
  spec: WorkloadSpec,
  ctx: Omit<SimAgentContext, 'goal' | 'feedback'> & { goalId: string; stream?: DraftStream },
  drafter: 'frontier' | 'resident',
  run: ReturnType<typeof cachedCommandRunner>,
): Promise<SimulatedWork> {
  const goal = goalOf(spec, ctx.goalId);
  const agentCtx: SimAgentContext = {
    seed: ctx.seed, taskId: ctx.taskId, iteration: ctx.iteration, stream: ctx.stream,
    goal: { id: goal.id, testCommand: goal.testCommand, allowedPaths: goal.allowedPaths, maxTurns: 12 }, feedback: [],
  };
  const provider = createSimProvider({ workload: spec, tier: drafter });
  const files = new Map(goal.seedFiles.map((f) => [f.path, f.content]));
  const written = new Set<string>();
  const steps: TraceStep[] = [];
  const step = (s: Partial<TraceStep> & Pick<TraceStep, 'kind'>) =>
    steps.push({ taskId: ctx.taskId, iteration: ctx.iteration, step: steps.length, input: '', output: '', durationMs: 0, ...s });
  const messages: AgentMessage[] = [{ role: 'user', content: [{ type: 'text', text: goal.description }] }];
  const tools = ['list_files', 'read_file', 'write_file', 'run_command'].map((name) => ({ name, description: name, inputSchema: {} }));
  let finalMessage = '';
  let endedBy: SimulatedWork['endedBy'] = 'turn_limit';
  let turns = 0;
  while (turns < agentCtx.goal.maxTurns) {
    turns++;
    const result = await provider.turn({ purpose: 'simulated', system: '', messages, tools, sim: agentCtx });
    const text = result.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
    step({ kind: 'thought', output: text });
    messages.push({ role: 'assistant', content: result.content });
    const uses = result.content.filter((b): b is Extract<ContentBlock, { type: 'tool_use' }> => b.type === 'tool_use');
    if (uses.length === 0) {
      finalMessage = text;
      endedBy = 'finished';
      if (text) step({ kind: 'message', output: text });
      break;
    }
    const results: ContentBlock[] = [];
    for (const use of uses) {
      const input = use.input as { path?: string; content?: string; command?: string };
      if (use.name === 'write_file') {
        const path = input.path ?? '';
        const refused = pathAllowed(path, goal.allowedPaths) && !path.startsWith('..') ? undefined : `${path} is outside the allowed paths`;
        if (!refused) {
          files.set(path, input.content ?? '');
          written.add(path);
        }
        step({ kind: 'edit', tool: 'write_file', input: path, path, editedBy: 'tool', output: refused ? '' : 'written', ...(refused ? { refused } : {}) });
      } else if (use.name === 'run_command') {
        const outcome = await run(input.command ?? '', files);
        step({ kind: 'command', tool: 'run_command', input: input.command ?? '', output: outcome.output, exitCode: outcome.exitCode });
      } else {
        step({ kind: 'search', tool: use.name, input: input.path ?? '.', output: [...files.keys()].join('\n') });
      }
      results.push({ type: 'tool_result', tool_use_id: use.id, content: 'ok' });
    }
    messages.push({ role: 'user', content: results });
  }

  const delivered = [...files].map(([path, content]) => ({ path, content }));
  const change = deliveredChange(goal.seedFiles, delivered, [], goal.allowedPaths);
  const rerunFiles = new Map([...files].filter(([path]) => pathAllowed(path, goal.allowedPaths)));
  for (const seed of goal.seedFiles) rerunFiles.set(seed.path, seed.content);
  const rerun = await run(goal.testCommand, rerunFiles);
  const work = {
    files: [...written].sort(), finalMessage, claims: extractClaims(finalMessage), testCommand: goal.testCommand, allowedPaths: goal.allowedPaths,
    endedBy, turnsUsed: turns, maxTurns: agentCtx.goal.maxTurns,
  };
  const features: FeatureVector = {
    ...computeTraceFeatures(steps, work),
    ...computeOutputFeatures(work, rerun),
    ...deliveredFeatures(change),
    files_changed: change.created.length + change.modified.length + change.deleted.length,
  };
  const changed = new Set([...change.created, ...change.modified]);
  return {
    ctx: agentCtx, drafter, steps, finalMessage, endedBy, delivered, rerunPassed: rerun.exitCode === 0, features,
    texts: workTexts(finalMessage, delivered.filter((f) => changed.has(f.path))),
  };
}
