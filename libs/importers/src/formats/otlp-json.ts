import { asRecord, asString, ChangedFile, ImportedRun, ImportedStep, parseJsonDocument, TranscriptError } from '../imported-run';
import { clip, withShellEdits } from '../step-builders';
import { replacementDiff } from '../unified-diff';

type Attributes = Map<string, unknown>;
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  start: bigint;
  attributes: Attributes;
  error: string | null;
}

/**
 * OpenTelemetry GenAI traces in OTLP JSON (`resourceSpans[].scopeSpans[].spans[]`) with `gen_ai.*`
 * attributes: `invoke_agent` spans name the agent, `chat` spans hold the model's messages,
 * `execute_tool` spans the tool calls. One run per trace id.
 */
export function parseOtlpJson(text: string): ImportedRun[] {
  const doc = asRecord(parseJsonDocument(text, 'the OTLP JSON export'));
  if (!doc || !Array.isArray(doc['resourceSpans'])) throw new TranscriptError(1, 'no "resourceSpans" list: is this an OTLP JSON trace export?');
  const spans = doc['resourceSpans'].flatMap((rs) =>
    (asRecord(rs)?.['scopeSpans'] as unknown[] | undefined ?? []).flatMap((ss) => (asRecord(ss)?.['spans'] as unknown[] | undefined ?? []).map(spanOf)),
  );
  const traces = new Map<string, Span[]>();
  for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  if (traces.size === 0) throw new TranscriptError(1, 'the export holds no spans');
  return [...traces].map(([traceId, trace]) => runOf(traceId, trace.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))));
}

function runOf(traceId: string, spans: Span[]): ImportedRun {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const agentOf = (span: Span): string | undefined => {
    for (let s: Span | undefined = span; s; s = byId.get(s.parentSpanId)) {
      const name = asString(s.attributes.get('gen_ai.agent.name'));
      if (name && s.attributes.get('gen_ai.operation.name') === 'invoke_agent') return name;
    }
    return undefined;
  };
  const agents = new Set(spans.map(agentOf).filter((a) => a !== undefined));
  const root = spans.find((s) => !byId.has(s.parentSpanId)) ?? spans[0];
  const steps: ImportedStep[] = [];
  const said: string[] = [];
  const change = new Map<string, string>();
  let task = '';
  let turns = 0;
  const unknown = new Map<string, number>();
  for (const span of spans) {
    const operation = asString(span.attributes.get('gen_ai.operation.name'));
    const speaker = agents.size > 1 ? agentOf(span) : undefined;
    const withSpeaker = (step: ImportedStep): ImportedStep => (speaker ? { ...step, speaker } : step);
    if (MODEL_CALLS.has(operation) || operation === 'invoke_agent') {
      if (task === '') task = firstUserText(span.attributes.get('gen_ai.input.messages'));
      if (operation !== 'invoke_agent') {
        turns++;
        const text = assistantText(span.attributes.get('gen_ai.output.messages'));
        if (text) {
          steps.push(withSpeaker({ kind: 'message', output: text }));
          if (!speaker || agentOf(span) === agentOf(root)) said.push(text);
        }
      }
    } else if (operation === 'execute_tool') {
      steps.push(withSpeaker(toolStep(span, change)));
    } else if (operation !== '' && !NOT_STEPS.has(operation)) {
      // A GenAI operation with no step of its own stays visible; a span of no GenAI operation (HTTP, database) is not the agent's.
      unknown.set(operation, (unknown.get(operation) ?? 0) + 1);
      steps.push(withSpeaker({ kind: 'thought', tool: operation }));
    }
  }
  const final = said.pop() ?? '';
  const files: ChangedFile[] = [...change].map(([path, content]) => ({ path, content }));
  return {
    format: 'otlp-json', ids: [traceId], task, steps: withShellEdits(steps, undefined), finalMessage: final, messages: said,
    endedBy: endOf(root), turns, change: files,
    gaps: [
      'the delivered change is rebuilt from edit tool arguments, when they carry the text',
      'exit codes only where a tool span records process.exit.code or an exit code in its result',
      ...[...unknown].map(([operation, count]) => `spans of operation ${operation} (${count}) are not known to the importer: kept as note steps`),
    ],
  };
}

/** Model calls under the names GenAI conventions and frameworks give them. */
const MODEL_CALLS = new Set(['chat', 'text_completion', 'generate_content']);
/** GenAI operations that are no step of the agent's work. */
const NOT_STEPS = new Set(['create_agent']);

function toolStep(span: Span, change: Map<string, string>): ImportedStep {
  const tool = asString(span.attributes.get('gen_ai.tool.name'));
  const rawArgs = asString(span.attributes.get('gen_ai.tool.call.arguments'));
  const args = asRecord(safeJson(rawArgs)) ?? {};
  const result = asString(span.attributes.get('gen_ai.tool.call.result'));
  const path = asString(args['path']) || asString(args['file_path']) || asString(args['file']) || asString(args['filename']) || asString(args['target_file']);
  const resultRecord = asRecord(safeJson(result));
  const code = span.attributes.get('process.exit.code') ?? resultRecord?.['exit_code'] ?? resultRecord?.['returncode'];
  const exitCode = typeof code === 'number' ? code : span.error !== null ? 1 : undefined;
  const output = clip(asString(resultRecord?.['output']) || result);
  // An editor tool (str_replace_based_edit_tool, str_replace_editor) says what it does in its `command`.
  const editorCommand = asString(args['command']);
  if (/edit|editor/i.test(tool) && editorCommand === 'view') return { kind: 'read', tool, input: path, path, output };
  if (/bash|shell|exec|terminal|command|run/i.test(tool)) {
    return { kind: 'command', tool, input: asString(args['command']) || asString(args['cmd']) || rawArgs, output, ...(exitCode === undefined ? {} : { exitCode }) };
  }
  if (/edit|write|create|patch|replace/i.test(tool) && path === '') return { kind: 'thought', tool, input: rawArgs.slice(0, 500), output };
  if (/edit|write|create|patch|replace/i.test(tool)) {
    const diff = replacementDiff(path, asString(args['old_str']) || asString(args['old_string']), asString(args['new_str']) || asString(args['new_string']) || asString(args['content']));
    if (path && !path.startsWith('/')) change.set(path, (change.get(path) ?? '') + diff);
    return { kind: 'edit', tool, input: path, path, diff, editedBy: 'tool', output, ...(span.error ? { refused: span.error } : {}) };
  }
  if (/read|view|open|cat/i.test(tool)) return { kind: 'read', tool, input: path, path, output };
  if (/fetch|browse|web|http|url/i.test(tool)) return { kind: 'web', tool, input: asString(args['url']) || asString(args['query']) || rawArgs, output };
  if (/ask|question|human|clarif/i.test(tool)) return { kind: 'question', tool, output: asString(args['question']) || rawArgs };
  return { kind: 'search', tool, input: asString(args['pattern']) || asString(args['query']) || rawArgs, output };
}

/** The run's end, from the root span: its status and `error.type`. */
function endOf(root: Span): ImportedRun['endedBy'] {
  if (root.error === null) return 'finished';
  const reason = `${asString(root.attributes.get('error.type'))} ${root.error}`;
  if (/max.?turns|turn.?limit|iteration/i.test(reason)) return 'turn_limit';
  if (/timeout|time.?limit/i.test(reason)) return 'time_limit';
  if (/budget|cost/i.test(reason)) return 'cost_limit';
  if (/cancel|interrupt/i.test(reason)) return 'interrupted';
  return 'error';
}

function spanOf(raw: unknown): Span {
  const span = asRecord(raw) ?? {};
  const attributes: Attributes = new Map();
  for (const a of Array.isArray(span['attributes']) ? span['attributes'] : []) {
    const attribute = asRecord(a);
    if (attribute) attributes.set(asString(attribute['key']), anyValue(attribute['value']));
  }
  const status = asRecord(span['status']);
  const failed = status?.['code'] === 2 || status?.['code'] === 'STATUS_CODE_ERROR';
  return {
    traceId: asString(span['traceId']), spanId: asString(span['spanId']), parentSpanId: asString(span['parentSpanId']),
    start: BigInt(asString(span['startTimeUnixNano']) || '0'), attributes, error: failed ? asString(status?.['message']) || 'error' : null,
  };
}

/** An OTLP AnyValue: `{stringValue}`, `{intValue}` (a string in JSON), `{boolValue}`, `{doubleValue}`, `{arrayValue}`. */
function anyValue(value: unknown): unknown {
  const v = asRecord(value) ?? {};
  if ('stringValue' in v) return v['stringValue'];
  if ('intValue' in v) return Number(v['intValue']);
  if ('doubleValue' in v) return Number(v['doubleValue']);
  if ('boolValue' in v) return v['boolValue'];
  if ('arrayValue' in v) return ((asRecord(v['arrayValue'])?.['values'] as unknown[]) ?? []).map(anyValue);
  return undefined;
}

/** GenAI messages: a JSON string of `[{role, parts: [{type: 'text', content}]}]`. */
function messagesOf(value: unknown): Record<string, unknown>[] {
  const parsed = typeof value === 'string' ? safeJson(value) : value;
  return Array.isArray(parsed) ? parsed.map(asRecord).filter((m) => m !== null) : [];
}

const textParts = (message: Record<string, unknown>) =>
  (Array.isArray(message['parts']) ? message['parts'] : [])
    .map(asRecord)
    .filter((p) => p?.['type'] === 'text')
    .map((p) => asString(p?.['content']))
    .join('\n');

const firstUserText = (value: unknown) => textParts(messagesOf(value).find((m) => m['role'] === 'user') ?? {});
const assistantText = (value: unknown) => messagesOf(value).filter((m) => m['role'] === 'assistant').map(textParts).join('\n').trim();

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
