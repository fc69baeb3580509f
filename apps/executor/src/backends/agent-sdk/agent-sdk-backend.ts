import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { IllegalStateError, LoopwrightError } from '@loopwright/core';
import type { GoalSubmitted } from '@loopwright/events';
import { costOf, FREE, ModelPrice, priceOf } from '@loopwright/models';
import { Workspace } from '@loopwright/sandbox';
import { systemPromptFor } from '../../agent/role-prompts';
import type { AgentAssignment } from '../../domain/decide';
import type { BackendDeps, BackendResult, ExecutorBackend } from '../executor-backend';
import { closeSession } from '../session-close';
import { LimitEnd, limitMessage, limitReached, SessionLimits } from '../session-limits';
import { ResumePoint, resumePointOf, sessionOpenedEvent, TraceRecorder } from '../session-record';
import { restoreStartingWorkspace } from '../session-workspace';
import { handoffsOf, taskBrief } from '../task-brief';
import { SdkEnd, SdkFold } from './sdk-fold';
import { sandboxToolServer } from './sdk-tools';

export interface AgentSdkBackendOptions {
  /** The executor's own key and, for tests or a gateway, where the Messages API is. */
  apiKey?: string;
  baseURL?: string;
  model: string;
  sessionTimeLimitMs: number;
  /** Where sessions keep their workspace and the CLI's transcript, so a restarted executor on this host resumes them. */
  stateDir: string;
  /** Claude Code's executable; by default the one the SDK ships for this platform. */
  executablePath?: string;
}

type AgentSdk = typeof import('@anthropic-ai/claude-agent-sdk');

/**
 * `claude-agent-sdk`: the role's agent runs Claude Code's agent loop through the Claude Agent SDK
 * (a CLI child process). Its only tools are the task's sandbox tools, served in-process over MCP:
 * the CLI's own tools (shell, file edits, web) are all switched off, so every command runs in
 * bubblewrap and every write is held to the allowed paths. Its message stream is the trace.
 */
export function agentSdkBackend(options: AgentSdkBackendOptions): ExecutorBackend {
  let sdk: Promise<AgentSdk> | undefined;
  return {
    name: 'claude-agent-sdk',
    runSession: (goal, assignment, deps) => {
      sdk ??= import('@anthropic-ai/claude-agent-sdk');
      return new AgentSdkSessionRun(goal, assignment, deps, options, sdk).run();
    },
  };
}

class AgentSdkSessionRun {
  private readonly limits: SessionLimits;
  private readonly dir: string;
  private price: ModelPrice = FREE;
  private startedAt = Date.now();

  constructor(
    private readonly goal: GoalSubmitted,
    private readonly assignment: AgentAssignment,
    private readonly deps: BackendDeps,
    private readonly options: AgentSdkBackendOptions,
    private readonly sdk: Promise<AgentSdk>,
  ) {
    this.limits = { maxTurns: goal.maxTurns, timeLimitMs: options.sessionTimeLimitMs, budgetUsd: goal.budgetUsd };
    this.dir = path.join(options.stateDir, `${assignment.taskId}-${assignment.iteration}`);
  }

  async run(): Promise<BackendResult> {
    const events = await this.deps.readRun(this.assignment.runId);
    const resume = resumePointOf(events, this.assignment);
    const resumable = this.resumable(resume);
    if (!resumable) await rm(this.dir, { recursive: true, force: true });
    const workspace = await Workspace.at(path.join(this.dir, 'workspace'));
    const home = path.join(this.dir, 'home');
    await mkdir(home, { recursive: true });
    const recorder = new TraceRecorder(this.deps.append, this.assignment, { next: resume.recordedSteps, skipBelow: 0 });
    let fold = new SdkFold(new Map());
    let end: SdkEnd;
    try {
      if (!this.options.apiKey) throw new IllegalStateError('the claude-agent-sdk backend needs ANTHROPIC_API_KEY: set it, or submit the goal with backend "sim"');
      this.price = priceOf(this.options.model);
      const sdk = await this.sdk;
      const tools = sandboxToolServer(sdk, workspace, { allowedPaths: this.goal.allowedPaths, commandTimeoutMs: this.deps.commandTimeoutMs });
      fold = new SdkFold(tools.outcomes);
      let sessionId: string;
      let prompt: string;
      if (resumable) {
        sessionId = resume.opened!.data.sessionId;
        this.startedAt = Date.parse(resume.opened!.occurredAt);
        prompt = 'The executor running this session stopped and has restarted. Continue the task from where you left off, then end with your final message.';
      } else {
        if (resume.opened) {
          await recorder.record({
            kind: 'thought', tool: 'claude-agent-sdk',
            output: `session ${resume.opened.data.sessionId} kept its state on ${resume.opened.data.host ?? 'another host'}, out of reach here: a new session starts from the iteration's starting workspace`,
          });
        }
        await restoreStartingWorkspace(workspace, this.goal, this.assignment, this.deps.artifacts);
        sessionId = sessionUuid(this.assignment, resume.sessionsOpened);
        prompt = taskBrief(this.goal, this.assignment, handoffsOf(events, this.assignment));
        await this.deps.append(sessionOpenedEvent(this.assignment, { backend: 'claude-agent-sdk', sessionId, host: hostname() }, resume.sessionsOpened));
        this.startedAt = Date.now();
      }
      end = await this.query(sdk, fold, recorder, { sessionId, resume: resumable, prompt, home, cwd: workspace.root, tools });
    } catch (error) {
      if (!(error instanceof LoopwrightError) || error.retryable) throw error;
      end = { endedBy: 'error', reason: error.message, retryable: false };
    }
    if (end.endedBy === 'error') {
      await recorder.record({ kind: 'thought', tool: 'claude-agent-sdk', output: `the session ended by an error (${end.retryable ? 'retryable' : 'not retryable'}): ${end.reason}` });
    }
    const result = await closeSession(this.goal, this.assignment, this.deps, await workspace.scan(), {
      endedBy: end.endedBy,
      turns: fold.turns,
      finalMessage: fold.finalMessage,
      written: fold.written,
      call: { usage: fold.usage, costUsd: this.costUsd(fold), model: this.options.model, latencyMs: Date.now() - this.startedAt, simulated: false },
    });
    await rm(this.dir, { recursive: true, force: true });
    return result;
  }

  /** A session this host opened and still holds (its transcript and workspace) can be resumed. */
  private resumable(resume: ResumePoint): boolean {
    const opened = resume.opened?.data;
    if (opened?.backend !== 'claude-agent-sdk' || opened.host !== hostname()) return false;
    return existsSync(path.join(this.dir, 'workspace')) && existsSync(path.join(this.dir, 'home', '.claude'));
  }

  private async query(
    sdk: AgentSdk,
    fold: SdkFold,
    recorder: TraceRecorder,
    run: { sessionId: string; resume: boolean; prompt: string; home: string; cwd: string; tools: ReturnType<typeof sandboxToolServer> },
  ): Promise<SdkEnd> {
    const abort = new AbortController();
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: run.home,
      ANTHROPIC_API_KEY: this.options.apiKey!,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      ...(this.options.baseURL ? { ANTHROPIC_BASE_URL: this.options.baseURL } : {}),
    };
    const q = sdk.query({
      prompt: run.prompt,
      options: {
        cwd: run.cwd,
        env,
        model: this.options.model,
        systemPrompt: systemPromptFor(this.assignment.role),
        tools: [],
        mcpServers: { workspace: run.tools.server },
        // Every call is asked for: the task's tools are allowed, anything else the CLI might still offer is denied.
        canUseTool: async (name) => (run.tools.names.includes(name) ? { behavior: 'allow' } : { behavior: 'deny', message: `${name} is not a tool of this task` }),
        settingSources: [],
        maxTurns: this.limits.maxTurns,
        maxBudgetUsd: this.limits.budgetUsd,
        abortController: abort,
        ...(run.resume ? { resume: run.sessionId } : { sessionId: run.sessionId }),
        ...(this.options.executablePath ? { pathToClaudeCodeExecutable: this.options.executablePath } : {}),
        stderr: (line: string) => process.stderr.write(`claude-agent-sdk ${run.sessionId}: ${line}`),
      },
    });
    let limit: LimitEnd | undefined;
    const stopFor = async (reached: LimitEnd) => {
      if (limit) return;
      limit = reached;
      await recorder.record({ kind: 'thought', tool: 'claude-agent-sdk', output: limitMessage(reached, this.progress(fold), this.limits) });
      await q.interrupt().catch(() => abort.abort());
    };
    const timer = setTimeout(() => void stopFor('time_limit'), Math.max(0, this.startedAt + this.limits.timeLimitMs - Date.now()));
    try {
      for await (const message of q) {
        for (const step of fold.apply(message)) await recorder.record(step);
        if (fold.end) break;
        const reached = limitReached(this.progress(fold), this.limits);
        if (reached) await stopFor(reached);
      }
    } catch (error) {
      if (!limit) return { endedBy: 'error', reason: `the agent SDK failed: ${(error as Error).message}`, retryable: false };
    } finally {
      clearTimeout(timer);
      q.close();
    }
    if (limit) return { endedBy: limit, reason: 'interrupted by the executor', retryable: false };
    if (fold.end && fold.end.endedBy !== 'finished' && fold.end.endedBy !== 'error') {
      // The CLI held the session to a limit it was given before the executor's own check saw it.
      await recorder.record({ kind: 'thought', tool: 'claude-agent-sdk', output: `${fold.end.reason} (the CLI's own limit)` });
    }
    if (fold.sessionId && fold.sessionId !== run.sessionId) {
      return { endedBy: 'error', reason: `the CLI ran session ${fold.sessionId}, not ${run.sessionId}`, retryable: false };
    }
    return fold.end ?? { endedBy: 'error', reason: 'the agent SDK stream ended without a result', retryable: true };
  }

  private progress(fold: SdkFold) {
    return { turns: fold.turns, costUsd: this.costUsd(fold), elapsedMs: Date.now() - this.startedAt };
  }

  private costUsd(fold: SdkFold): number {
    return Math.max(costOf(fold.usage, this.price), fold.reportedCostUsd);
  }
}

/** The session's id, chosen by the executor (the SDK takes a UUID): the same task iteration and ordinal give the same id. */
export function sessionUuid(assignment: AgentAssignment, ordinal: number): string {
  const hex = createHash('sha256').update(`${assignment.runId}\u0000${assignment.taskId}\u0000${assignment.iteration}\u0000${ordinal}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
