import { asRecord, asString, TranscriptError } from '../imported-run';
import { jsonLines } from './json-lines';

/** One line of a Claude Code transcript; `agent` is the sub-agent whose own file it came from. */
export interface SessionEntry {
  value: Record<string, unknown>;
  line: number;
  agent?: string;
}

/** A sub-agent's own transcript as the reader found it: the path it opened and the text. */
export interface SubAgentFile {
  path: string;
  text: string;
}

/** The sub-agents' transcripts by agent id; null: the file was looked for and is not there. */
export type SubAgentFiles = ReadonlyMap<string, SubAgentFile | null>;

/** A Task / Agent call and what its result says of the sub-agent it started. */
export interface Delegation {
  callId: string;
  description: string;
  /** Index of the entry holding the call, and of the one holding its result (absent: no result came). */
  callAt: number;
  resultAt?: number;
  agentId?: string;
  /** Started in the background: the caller went on while it ran, so its steps may come after the result. */
  background: boolean;
}

/**
 * An agent id as Claude Code writes it (hex, or `name@team` for team agents): it becomes part of a
 * file name, so nothing that could name another folder (`/`, `.`, `\`) passes.
 */
const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9_@-]{0,127}$/;
/** Claude Code's result text of a sub-agent names it on a line of its own (`agentId: a21e2f5 (for resuming …)`). */
const AGENT_ID_IN_TEXT = /^\s*agentId:\s*(\S+)/m;
const DELEGATING_TOOLS = new Set(['Task', 'Agent']);

const blocksOf = (entry: Record<string, unknown>): Record<string, unknown>[] => {
  const content = asRecord(entry['message'])?.['content'];
  return Array.isArray(content) ? content.map(asRecord).filter((b) => b !== null) : [];
};

const textOf = (content: unknown): string =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((b) => asString(asRecord(b)?.['text'])).join('\n') : '';

/**
 * The sub-agents a list of entries started: each Task / Agent call, paired with its result, and the
 * agent id the result names (the structured `toolUseResult.agentId`, else the `agentId:` line of
 * its text). An id that is not an agent id is refused here, before anything looks for its file.
 */
export function delegationsOf(entries: readonly SessionEntry[]): Delegation[] {
  const byCall = new Map<string, Delegation>();
  entries.forEach(({ value, line }, index) => {
    for (const block of blocksOf(value)) {
      if (value['type'] === 'assistant' && block['type'] === 'tool_use' && DELEGATING_TOOLS.has(asString(block['name']))) {
        const callId = asString(block['id']);
        if (callId === '' || byCall.has(callId)) continue;
        byCall.set(callId, { callId, description: asString(asRecord(block['input'])?.['description']), callAt: index, background: false });
      } else if (value['type'] === 'user' && block['type'] === 'tool_result') {
        const delegation = byCall.get(asString(block['tool_use_id']));
        if (!delegation || delegation.resultAt !== undefined) continue;
        const meta = asRecord(value['toolUseResult']);
        const named = meta?.['agentId'] ?? AGENT_ID_IN_TEXT.exec(textOf(block['content']))?.[1];
        delegation.resultAt = index;
        delegation.background = meta?.['status'] === 'async_launched';
        if (named === undefined) continue;
        if (typeof named !== 'string' || !AGENT_ID.test(named)) {
          throw new TranscriptError(line, `the result of Task call ${delegation.callId} names the sub-agent ${JSON.stringify(named).slice(0, 120)}, which is not an agent id (letters, digits, -, _ and @): refusing to look for its transcript`);
        }
        delegation.agentId = named;
      }
    }
  });
  return [...byCall.values()];
}

/**
 * Checks that every turn of a sub-agent's own file is that sub-agent's: a sidechain of the
 * session (one of its ids: a resumed session carries its earlier id too) under the same agent id. A file that holds the main agent's turns, or another agent's,
 * is refused: its steps would be read as the wrong agent's.
 */
export function checkSubAgentEntries(entries: readonly SessionEntry[], agentId: string, sessionIds: readonly string[], file: string) {
  for (const { value, line } of entries) {
    if (value['type'] !== 'user' && value['type'] !== 'assistant') continue;
    const problem =
      value['isSidechain'] !== true ? 'is not a sidechain (a sub-agent\'s turn), as the main agent\'s turns are'
      : typeof value['agentId'] === 'string' && value['agentId'] !== agentId ? `belongs to agent ${JSON.stringify(value['agentId']).slice(0, 80)}`
      : typeof value['sessionId'] === 'string' && !sessionIds.includes(value['sessionId']) ? `belongs to session ${JSON.stringify(value['sessionId']).slice(0, 80)}`
      : undefined;
    if (problem) {
      throw new TranscriptError(line, `this entry ${problem}, not to sub-agent ${agentId} of session ${sessionIds.join(' / ')}: a sub-agent's transcript holds only that agent's turns`, file);
    }
  }
}

/**
 * Entries of one agent's file, each with the time it records; an entry without a time (or with
 * one that is not a date) takes the time of the entry before it, so a file keeps its own order.
 */
function timed(entries: readonly SessionEntry[]): { entry: SessionEntry; at: number }[] {
  let last = -Infinity;
  return entries.map((entry) => {
    const parsed = Date.parse(asString(entry.value['timestamp']));
    if (Number.isFinite(parsed)) last = Math.max(last, parsed);
    return { entry, at: last };
  });
}

interface Child {
  queue: { entry: SessionEntry; at: number }[];
  /** The next entry of the queue to merge. */
  next: number;
  order: number;
  /** Bumped each time the child's next entry changes: a heap slot of an older one is stale. */
  version: number;
  /** Index of the caller's entry after which the child's entries may come, and before which they all must (a result it waited for). */
  after: number;
  before?: number;
}

/** The open children by their next entry's time, oldest first; slots of a changed child are skipped. */
class ChildHeap {
  private readonly slots: { child: Child; at: number; version: number }[] = [];

  push(child: Child) {
    if (child.next >= child.queue.length) return;
    this.slots.push({ child, at: child.queue[child.next].at, version: child.version });
    for (let i = this.slots.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!this.before(i, up)) break;
      [this.slots[i], this.slots[up]] = [this.slots[up], this.slots[i]];
      i = up;
    }
  }

  peek(): Child | undefined {
    while (this.slots.length > 0 && this.slots[0].version !== this.slots[0].child.version) this.pop();
    return this.slots[0]?.child;
  }

  private pop() {
    const last = this.slots.pop();
    if (this.slots.length === 0 || !last) return;
    this.slots[0] = last;
    for (let i = 0; ; ) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let least = i;
      if (l < this.slots.length && this.before(l, least)) least = l;
      if (r < this.slots.length && this.before(r, least)) least = r;
      if (least === i) break;
      [this.slots[i], this.slots[least]] = [this.slots[least], this.slots[i]];
      i = least;
    }
  }

  private before(a: number, b: number): boolean {
    const [x, y] = [this.slots[a], this.slots[b]];
    return x.at < y.at || (x.at === y.at && x.child.order < y.child.order);
  }
}

const headAt = (child: Child) => child.queue[child.next].at;

/**
 * Merges sub-agents' entries into their caller's, in time order: a sub-agent's entries come after
 * the call that started it and, unless it ran in the background, before the result the caller
 * waited for, whatever times they record. Each file keeps its own order. Each entry merged costs
 * a heap step, so a hostile session of many sub-agents stays linear-logarithmic.
 */
export function mergeInTimeOrder(caller: readonly SessionEntry[], children: readonly { entries: readonly SessionEntry[]; delegation: Delegation }[]): SessionEntry[] {
  const own = timed(caller);
  const all: Child[] = children.map(({ entries, delegation }, order) => ({
    queue: timed(entries), next: 0, order, version: 0, after: delegation.callAt, ...(delegation.background ? {} : { before: delegation.resultAt }),
  }));
  const bucket = (key: (c: Child) => number | undefined) => {
    const map = new Map<number, Child[]>();
    for (const child of all) {
      const k = key(child);
      if (k !== undefined) map.set(k, [...(map.get(k) ?? []), child]);
    }
    return map;
  };
  const opening = bucket((c) => c.after);
  const closing = bucket((c) => c.before);
  const open = new ChildHeap();
  const merged: SessionEntry[] = [];
  const take = (child: Child, due: ChildHeap | undefined) => {
    merged.push(child.queue[child.next].entry);
    child.next++;
    child.version++;
    open.push(child);
    if (due && child.before !== undefined) due.push(child);
  };
  own.forEach(({ entry, at }, index) => {
    for (const child of opening.get(index - 1) ?? []) open.push(child);
    const due = new ChildHeap();
    for (const child of closing.get(index) ?? []) if (child.after < index) due.push(child);
    for (;;) {
      const sooner = open.peek();
      const owed = due.peek();
      const candidates = [owed, sooner && headAt(sooner) < at ? sooner : undefined].filter((c): c is Child => c !== undefined);
      if (candidates.length === 0) break;
      const [first] = candidates.sort((a, b) => headAt(a) - headAt(b) || a.order - b.order);
      take(first, first.before === index ? due : undefined);
    }
    merged.push(entry);
  });
  for (const child of opening.get(own.length - 1) ?? []) open.push(child);
  for (let child = open.peek(); child; child = open.peek()) take(child, undefined);
  return merged;
}

/** Why a delegation's steps are not in the trace, or nothing when they are. */
export function missingSubAgent(delegation: Delegation, files: SubAgentFiles | undefined): string | undefined {
  const what = `the sub-agent of Task call ${delegation.callId}${delegation.description ? ` ("${delegation.description.slice(0, 80)}")` : ''}`;
  if (!files) return undefined;
  if (delegation.resultAt === undefined) return `${what} never returned a result naming it: its steps are missing from the trace`;
  if (!delegation.agentId) return `${what} is not named by its result (no agentId): its steps are missing from the trace`;
  if (files.get(delegation.agentId) === null) {
    return `${what} is agent ${delegation.agentId}, whose transcript (agent-${delegation.agentId}.jsonl, in the session's subagents/ folder or beside the session) is missing: its steps are missing from the trace`;
  }
  return undefined;
}

/** The caller's entries with its sub-agents' merged in, and every delegation met on the way (the caller's and the sub-agents' own). */
export interface ExpandedSession {
  entries: SessionEntry[];
  /** Each Task call met, with the agent that made it (absent: the main agent). */
  delegations: { delegation: Delegation; caller?: string }[];
  /** The agents whose own files were merged in. */
  merged: ReadonlySet<string>;
}

/**
 * A session's entries with each sub-agent's file merged in after the call that started it, and
 * the sub-agents those started, depth first. Each agent's file is read once: an agent named again
 * (a cycle, a second call naming it) adds no entries, so a file that names itself ends.
 */
export function expandSubAgents(own: readonly SessionEntry[], sessionIds: readonly string[], files: SubAgentFiles | undefined): ExpandedSession {
  const delegations: ExpandedSession['delegations'] = [];
  const read = new Set<string>();
  const expand = (entries: readonly SessionEntry[], agent: string | undefined): SessionEntry[] => {
    const children: { entries: readonly SessionEntry[]; delegation: Delegation }[] = [];
    for (const delegation of delegationsOf(entries)) {
      const file = delegation.agentId ? files?.get(delegation.agentId) : undefined;
      const id = delegation.agentId;
      if (!file || !id || read.has(id)) {
        delegations.push({ delegation, ...(agent ? { caller: agent } : {}) });
        continue;
      }
      read.add(id);
      let lines: SessionEntry[];
      try {
        lines = jsonLines(file.text).map((e) => ({ ...e, agent: id }));
      } catch (error) {
        if (error instanceof TranscriptError) throw new TranscriptError(error.line, error.problem, file.path);
        throw error;
      }
      checkSubAgentEntries(lines, id, sessionIds, file.path);
      const merged = expand(lines, id);
      delegations.push({ delegation, ...(agent ? { caller: agent } : {}) });
      children.push({ entries: merged, delegation });
    }
    return mergeInTimeOrder(entries, children);
  };
  return { entries: expand(own, undefined), delegations, merged: read };
}

/**
 * The agent ids a transcript's Task calls name, for the reader to find their files: ids are
 * checked here (an id that could name another folder is refused) before any path is made of them.
 */
export function delegatedAgentIds(text: string): string[] {
  const ids = delegationsOf(jsonLines(text)).map((d) => d.agentId).filter((id): id is string => id !== undefined);
  return [...new Set(ids)];
}

export const isAgentId = (id: string) => AGENT_ID.test(id);
