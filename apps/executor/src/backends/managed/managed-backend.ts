import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { LoopwrightError, UpstreamModelError } from '@loopwright/core';
import type { GoalSubmitted } from '@loopwright/events';
import { classifyAnthropicError, costOf, FREE, ModelPrice, priceOf } from '@loopwright/models';
import { Workspace, WorkspaceFile } from '@loopwright/sandbox';
import type { AgentAssignment } from '../../domain/decide';
import type { BackendDeps, BackendResult, ExecutorBackend } from '../executor-backend';
import { closeSession, DeliveredWorkspace } from '../session-close';
import { LimitEnd, limitMessage, limitReached, SessionLimits } from '../session-limits';
import { resumePointOf, sessionOpenedEvent, TraceRecorder } from '../session-record';
import { restoreStartingWorkspace } from '../session-workspace';
import { Handoff, handoffsOf, taskBrief } from '../task-brief';
import { readAtMost } from './bounded-download';
import { ManagedResources, WORKSPACE_OUTPUT, WORKSPACE_OUTPUT_NAME, WORKSPACE_UPLOAD } from './managed-resources';
import { ReadEvent, readRuntimeEvent } from './runtime-events';
import { Mirror, SessionEnd, SessionFold } from './session-fold';
import { packWorkspace, unpackWorkspace } from './workspace-archive';

export interface ManagedBackendOptions {
  /** The Anthropic client on the executor's own key; throws when there is none. */
  client: () => Anthropic;
  model: string;
  /** Wall time a session may run, from when it was opened, across restarts. */
  sessionTimeLimitMs: number;
  /** An environment to run sessions on; by default one named `loopwright` is found or created. */
  environmentId?: string;
  /** Reconnects to a broken event stream in a row before the session is given up (default 5). */
  reconnectAttempts?: number;
  reconnectDelayMs?: number;
  /** Looks for the delivered archive this many times (the runtime indexes outputs with a lag; default 4). */
  outputLookups?: number;
  outputLookupDelayMs?: number;
  /** The largest delivered archive read (default MAX_DELIVERED_ARCHIVE_BYTES); a larger one is refused unread. */
  maxArchiveBytes?: number;
}

/**
 * The largest delivered archive the executor reads: room for a snapshot's 16 MiB of files, and for
 * the oversized files it reports but does not carry. Past it the download stops.
 */
export const MAX_DELIVERED_ARCHIVE_BYTES = 64 * 1024 * 1024;

const FILES_BETA = ['files-api-2025-04-14'];
/** Session metadata where the executor leaves why it stopped a session, for itself after a restart. */
const STOP_KEY = 'loopwright_stop';

/**
 * `managed`: each task iteration runs as an Anthropic Managed Agents session. The runtime runs the
 * loop, the tools and the container; the executor records every event as it arrives, holds the
 * session to its own turn, time and budget limits, and takes the delivered workspace as the work.
 */
export function managedBackend(options: ManagedBackendOptions): ExecutorBackend {
  const resources = new ManagedResources(options.client, { model: options.model, environmentId: options.environmentId });
  return { name: 'managed', runSession: (goal, assignment, deps) => new ManagedSessionRun(goal, assignment, deps, options, resources).run() };
}

/**
 * One task iteration's session. Every step it records is a function of the runtime's events in
 * order, or of a stop this executor decided and left in the session's metadata: a restarted
 * executor replays the history, numbers the steps the same way, and appends only those the log
 * does not hold yet.
 */
class ManagedSessionRun {
  private readonly fold = new SessionFold();
  private readonly seen = new Set<string>();
  private readonly limits: SessionLimits;
  private recorder!: TraceRecorder;
  private workspace!: Workspace;
  private price: ModelPrice = FREE;
  private delivered?: DeliveredWorkspace;
  private startedAt = Date.now();
  private interruptSent = false;

  constructor(
    private readonly goal: GoalSubmitted,
    private readonly assignment: AgentAssignment,
    private readonly deps: BackendDeps,
    private readonly options: ManagedBackendOptions,
    private readonly resources: ManagedResources,
  ) {
    this.limits = { maxTurns: goal.maxTurns, timeLimitMs: options.sessionTimeLimitMs, budgetUsd: goal.budgetUsd };
  }

  private get client(): Anthropic {
    return this.options.client();
  }

  async run(): Promise<BackendResult> {
    const events = await this.deps.readRun(this.assignment.runId);
    const resume = resumePointOf(events, this.assignment);
    this.recorder = new TraceRecorder(this.deps.append, this.assignment, { next: 0, skipBelow: resume.recordedSteps });
    this.workspace = await Workspace.create(`${this.assignment.taskId}-${this.assignment.iteration}`);
    try {
      await restoreStartingWorkspace(this.workspace, this.goal, this.assignment, this.deps.artifacts);
      let end: SessionEnd;
      try {
        this.price = priceOf(this.options.model);
        const opened = resume.opened?.data.backend === 'managed' ? resume.opened : undefined;
        if (opened) this.startedAt = Date.parse(opened.occurredAt);
        const sessionId = opened?.data.sessionId ?? (await this.open(await this.workspace.snapshot(), handoffsOf(events, this.assignment), resume.sessionsOpened));
        end = await this.follow(sessionId);
        if (this.fold.turns > 0) await this.collect(sessionId);
      } catch (error) {
        end = this.failed(error);
      }
      if (end.endedBy === 'error') {
        await this.recorder.record({ kind: 'thought', tool: 'managed-runtime', output: `the session ended by an error (${end.retryable ? 'retryable' : 'not retryable'}): ${end.reason}` });
      }
      return await closeSession(this.goal, this.assignment, this.deps, this.delivered ?? (await this.workspace.scan()), {
        endedBy: end.endedBy,
        turns: this.fold.turns,
        finalMessage: this.fold.finalMessage,
        written: this.fold.written,
        call: { usage: this.fold.usage, costUsd: this.costUsd(), model: this.options.model, latencyMs: Date.now() - this.startedAt, simulated: false },
      });
    } finally {
      await this.workspace.dispose();
    }
  }

  /** Uploads the starting workspace and opens the session with the task; its id goes into the log at once. */
  private async open(starting: WorkspaceFile[], handoffs: Handoff[], ordinal: number): Promise<string> {
    const agent = await this.resources.agentFor(this.assignment.role);
    const environmentId = await this.resources.environmentId();
    const orphan = await this.orphanOf(agent.id);
    if (orphan) {
      this.startedAt = Date.parse(orphan.created_at) || Date.now();
      await this.deps.append(
        sessionOpenedEvent(this.assignment, { backend: 'managed', sessionId: orphan.id, agentId: agent.id, agentVersion: agent.version, environmentId }, ordinal),
      );
      return orphan.id;
    }
    const file = await this.client.beta.files.upload({
      file: await toFile(packWorkspace(starting), 'workspace.tar', { type: 'application/x-tar' }),
      betas: FILES_BETA,
    });
    const { runId, taskId, iteration } = this.assignment;
    const session = await this.client.beta.sessions.create({
      agent: { type: 'agent', id: agent.id, version: agent.version },
      environment_id: environmentId,
      title: `${this.goal.title} (${this.assignment.role}, iteration ${iteration})`.slice(0, 200),
      metadata: { loopwright_run: runId, loopwright_task: taskId, loopwright_iteration: String(iteration) },
      resources: [{ type: 'file', file_id: file.id, mount_path: WORKSPACE_UPLOAD }],
      // The runtime's own ceiling backs up the executor's: whichever comes first stops the session.
      budget: { type: 'limit', max_list_cost: { amount: String(Math.max(1, Math.floor(this.limits.budgetUsd * 100))), currency: 'USD' } },
      initial_events: [{ type: 'user.message', content: [{ type: 'text', text: taskBrief(this.goal, this.assignment, handoffs) }] }],
    });
    this.startedAt = Date.now();
    await this.deps.append(
      sessionOpenedEvent(this.assignment, { backend: 'managed', sessionId: session.id, agentId: agent.id, agentVersion: agent.version, environmentId }, ordinal),
    );
    return session.id;
  }

  /** A session opened for this iteration whose id never reached the log (the executor stopped in between). */
  private async orphanOf(agentId: string): Promise<{ id: string; created_at: string } | undefined> {
    const { runId, taskId, iteration } = this.assignment;
    let looked = 0;
    for await (const session of this.client.beta.sessions.list({ agent_id: agentId, order: 'desc' })) {
      const m = session.metadata ?? {};
      if (m['loopwright_run'] === runId && m['loopwright_task'] === taskId && m['loopwright_iteration'] === String(iteration)) return session;
      if (++looked >= 100) return undefined;
    }
    return undefined;
  }

  /**
   * Reads the session to its end. The stream is opened first, then the history is read (all of it
   * the first time, so the fold rebuilds its steps, turns and spend; what came since on a
   * reconnect), then the stream; an event delivered twice is handled once.
   */
  private async follow(sessionId: string): Promise<SessionEnd> {
    let failures = 0;
    let since: string | undefined;
    for (;;) {
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      try {
        const stream = await this.client.beta.sessions.events.stream(sessionId);
        try {
          for await (const event of this.client.beta.sessions.events.list(sessionId, since ? { 'created_at[gte]': since } : {})) {
            const end = await this.handle(sessionId, readRuntimeEvent(event), since === undefined);
            if (end) return end;
          }
          timer = setTimeout(() => {
            timedOut = true;
            stream.controller.abort();
          }, Math.max(0, this.startedAt + this.limits.timeLimitMs - Date.now()));
          for await (const event of stream) {
            const end = await this.handle(sessionId, readRuntimeEvent(event), false);
            if (end) return end;
            failures = 0;
          }
        } finally {
          stream.controller.abort();
        }
        if (timedOut) return this.stopForLimit(sessionId, 'time_limit');
        throw new UpstreamModelError('the event stream closed before the session ended', true);
      } catch (error) {
        if (timedOut) return this.stopForLimit(sessionId, 'time_limit');
        if ((error as Error).name === 'SyntaxError') {
          const { message } = error as Error;
          return (await this.handle(sessionId, { kind: 'garbage', problem: `an event whose data is not JSON (${message})`, raw: message }, false))!;
        }
        const failure = streamFailure(error);
        if (!failure) throw error;
        if (!failure.retryable) return { endedBy: 'error', reason: `the runtime refused a request: ${failure.message}`, retryable: false };
        if (++failures > (this.options.reconnectAttempts ?? 5)) {
          return this.stop(sessionId, { endedBy: 'error', reason: `the session's event stream broke ${failures} times in a row (${failure.message})`, retryable: true }, true);
        }
        console.warn(`managed session ${sessionId}: the event stream broke (${failure.message}); reconnecting, attempt ${failures}`);
        await sleep(Math.min(5_000, (this.options.reconnectDelayMs ?? 250) * 2 ** (failures - 1)));
      } finally {
        clearTimeout(timer);
      }
      since = this.fold.lastProcessedAt ?? since;
    }
  }

  /** One runtime event: its steps recorded, its file changes repeated, the limits checked. */
  private async handle(sessionId: string, read: ReadEvent, replaying: boolean): Promise<SessionEnd | undefined> {
    const id = read.kind === 'known' ? read.event.id : read.id;
    if (id !== undefined) {
      if (this.seen.has(id)) return undefined;
      this.seen.add(id);
    }
    const out = this.fold.apply(read);
    for (const step of out.steps) await this.recorder.record(step);
    for (const mirror of out.mirrors) await this.mirror(mirror);
    if (out.end) {
      if (out.end.endedBy !== 'finished') await this.stop(sessionId, out.end);
      return out.end;
    }
    if (out.interrupted) return this.stoppedBefore(sessionId);
    const limit = limitReached({ turns: this.fold.turns, costUsd: this.costUsd(), elapsedMs: replaying ? 0 : Date.now() - this.startedAt }, this.limits);
    return limit ? this.stopForLimit(sessionId, limit) : undefined;
  }

  private stopForLimit(sessionId: string, limit: LimitEnd): Promise<SessionEnd> {
    const reason = limitMessage(limit, { turns: this.fold.turns, costUsd: this.costUsd(), elapsedMs: Date.now() - this.startedAt }, this.limits);
    return this.stop(sessionId, { endedBy: limit, reason, retryable: false }, true);
  }

  /**
   * Ends the session from this side: why goes into the session's metadata first (so a restarted
   * executor that finds the interrupt in the history knows), then the interrupt. A failure to
   * reach the runtime is reported, never thrown: the run still closes.
   */
  private async stop(sessionId: string, end: SessionEnd, recordReason = false): Promise<SessionEnd> {
    this.fold.end = end;
    if (recordReason) await this.recorder.record({ kind: 'thought', tool: 'managed-runtime', output: end.reason });
    if (this.interruptSent) return end;
    this.interruptSent = true;
    try {
      await this.client.beta.sessions.update(sessionId, { metadata: { [STOP_KEY]: JSON.stringify(end).slice(0, 512) } });
      await this.client.beta.sessions.events.send(sessionId, { events: [{ type: 'user.interrupt' }] });
    } catch (error) {
      console.warn(`managed session ${sessionId}: the interrupt could not be sent: ${(error as Error).message}`);
    }
    return end;
  }

  /** The history holds an interrupt: the stop this executor decided before a restart, or one from outside. */
  private async stoppedBefore(sessionId: string): Promise<SessionEnd> {
    const session = await this.client.beta.sessions.retrieve(sessionId);
    let end: SessionEnd = { endedBy: 'interrupted', reason: 'the session was interrupted from outside this executor', retryable: false };
    try {
      const stored = JSON.parse(session.metadata?.[STOP_KEY] ?? 'null') as SessionEnd | null;
      if (stored && typeof stored.reason === 'string' && typeof stored.endedBy === 'string') end = { ...stored, retryable: stored.retryable === true };
    } catch {
      // Unreadable metadata: the interrupt stands as one from outside.
    }
    this.interruptSent = true;
    this.fold.end = end;
    await this.recorder.record({ kind: 'thought', tool: 'managed-runtime', output: end.reason });
    return end;
  }

  /** A write or edit the runtime's tools made, repeated on the executor's copy of the workspace. */
  private async mirror(change: Mirror): Promise<void> {
    try {
      if (change.kind === 'write') return await this.workspace.write(change.path, change.content);
      const before = await this.workspace.read(change.path);
      await this.workspace.write(change.path, change.all ? before.split(change.oldText).join(change.newText) : before.replace(change.oldText, change.newText));
    } catch {
      // A path the local copy cannot hold (a link, a missing file): the delivered archive decides.
    }
  }

  /** The delivered archive from the session's outputs; without one, the local copy with the tools' edits stands. */
  private async collect(sessionId: string): Promise<void> {
    const lookups = this.options.outputLookups ?? 4;
    for (let attempt = 1; attempt <= lookups; attempt++) {
      let found: { id: string; created_at: string } | undefined;
      for await (const file of this.client.beta.files.list({ scope_id: sessionId, betas: FILES_BETA })) {
        if (file.filename === WORKSPACE_OUTPUT_NAME && (!found || file.created_at > found.created_at)) found = file;
      }
      if (found) {
        const download = await this.client.beta.files.download(found.id, { betas: FILES_BETA });
        try {
          this.delivered = unpackWorkspace(await readAtMost(download, this.options.maxArchiveBytes ?? MAX_DELIVERED_ARCHIVE_BYTES, WORKSPACE_OUTPUT));
          await this.recorder.record({
            kind: 'thought', tool: 'managed-runtime',
            output: `delivered ${WORKSPACE_OUTPUT}: ${this.delivered.files.length} file(s), ${this.delivered.irregular.length} irregular entr${this.delivered.irregular.length === 1 ? 'y' : 'ies'}`,
          });
        } catch (error) {
          await this.recorder.record({
            kind: 'thought', tool: 'managed-runtime', refused: (error as Error).message,
            output: `${WORKSPACE_OUTPUT} could not be read: the local copy with the edits of the write and edit tools stands`,
          });
        }
        return;
      }
      if (attempt < lookups) await sleep(this.options.outputLookupDelayMs ?? 1_000);
    }
    await this.recorder.record({
      kind: 'thought', tool: 'managed-runtime',
      output: `the session delivered no ${WORKSPACE_OUTPUT}: the work is the starting workspace with the edits of the write and edit tools (changes made through the shell are not in it)`,
    });
  }

  /** A failure outside the event stream: a retryable one goes back to the log's redelivery, the rest end the session. */
  private failed(error: unknown): SessionEnd {
    const failure = classifyAnthropicError(error, Date.now());
    if (failure?.retryable) throw new UpstreamModelError(`Managed Agents: ${failure.message}`, true, { cause: error, status: failure.status });
    if (failure) return { endedBy: 'error', reason: `Managed Agents refused a request: ${failure.message}`, retryable: false };
    if (error instanceof LoopwrightError && !error.retryable) return { endedBy: 'error', reason: error.message, retryable: false };
    throw error;
  }

  private costUsd(): number {
    return Math.max(costOf(this.fold.usage, this.price), this.fold.runtimeCostUsd);
  }
}

/** Whether a failure while reading the session can go away on a reconnect: API errors by their status, a dropped connection always. */
function streamFailure(error: unknown): { retryable: boolean; message: string } | undefined {
  const classified = classifyAnthropicError(error, Date.now());
  if (classified) return classified;
  if (error instanceof UpstreamModelError) return { retryable: error.retryable, message: error.message };
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = error instanceof Error ? error.message : String(error);
  if (/terminated|fetch failed|network|socket/i.test(message) || cause?.code?.startsWith('UND_ERR') || cause?.code === 'ECONNRESET') {
    return { retryable: true, message: `connection lost (${cause?.message ?? message})` };
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
