import type { ImportedRun } from './imported-run';
import { gradeImportedRun, onlyRun } from './grade-imported-run.test-helper';

/** OTLP JSON GenAI spans as agent frameworks export them: editor tools with a command, bookkeeping tools, other model operations. */
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
let span = 0;
const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
const spanOf = (name: string, attributes: object[], parent = '0000000000000001') => {
  span++;
  return {
    traceId: TRACE, spanId: span.toString(16).padStart(16, '0'), parentSpanId: span === 1 ? '' : parent, name, kind: 1,
    startTimeUnixNano: String(1763650000000000000n + BigInt(span) * 1000000n), endTimeUnixNano: String(1763650000000000000n + BigInt(span) * 1000000n + 500n),
    attributes, status: {},
  };
};
const agent = () => spanOf('invoke_agent shopbot', [
  attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', 'shopbot'),
  attr('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Fix the discount rounding.' }] }])),
]);
const toolSpan = (tool: string, args: object, result: string) => spanOf(`execute_tool ${tool}`, [
  attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', tool), attr('gen_ai.tool.call.arguments', JSON.stringify(args)), attr('gen_ai.tool.call.result', result),
]);
const modelSpan = (operation: string, text: string) => spanOf(`${operation} gemini-2.5-pro`, [
  attr('gen_ai.operation.name', operation), attr('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }] }])),
]);
const exportOf = (spans: object[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'agent' }, spans }] }] });

const read = (spans: object[]) => onlyRun(exportOf(spans), 'trace.otlp.json');
const features = (run: ImportedRun) => gradeImportedRun(run, { allowedPaths: ['src/**'], scratchPaths: ['/tmp/**'], testCommand: 'npm test' }).features;

beforeEach(() => {
  span = 0;
});

describe('OTLP GenAI spans', () => {
  it("reads an editor tool's view command as a read, and its str_replace as an edit", () => {
    const run = read([
      agent(),
      toolSpan('str_replace_based_edit_tool', { command: 'view', path: 'src/discount.js' }, '1\tconst round = (x) => Math.round(x);'),
      toolSpan('str_replace_based_edit_tool', { command: 'str_replace', path: 'src/discount.js', old_str: 'Math.round(x)', new_str: 'Math.round(x * 100) / 100' }, 'The file src/discount.js has been edited.'),
    ]);
    expect(run.steps.map((s) => [s.kind, s.path])).toEqual([['read', 'src/discount.js'], ['edit', 'src/discount.js']]);
    expect(features(run).files_written).toBe(1);
  });

  it('does not take a tool that writes no file (a to-do list, a memory) for an edit outside the scope', () => {
    const run = read([
      agent(),
      toolSpan('TodoWrite', { todos: [{ content: 'fix rounding', status: 'in_progress' }] }, 'Todos have been modified successfully.'),
      toolSpan('write_memory', { key: 'rounding', value: 'banker\'s rounding is not wanted' }, 'saved'),
    ]);
    const f = features(run);
    expect([f.files_written, f.out_of_scope_attempts]).toEqual([0, 0]);
  });

  it('reads the model operations other frameworks name (generate_content, text_completion) as model turns, and keeps an unknown operation visible', () => {
    const run = read([
      agent(),
      modelSpan('generate_content', 'Rounding now keeps two decimals.'),
      spanOf('embeddings text-embedding-3-small', [attr('gen_ai.operation.name', 'embeddings')]),
    ]);
    expect([run.turns, run.finalMessage]).toEqual([1, 'Rounding now keeps two decimals.']);
    expect(run.steps.map((s) => [s.kind, s.tool ?? ''])).toEqual([['message', ''], ['thought', 'embeddings']]);
    expect(run.gaps.join('\n')).toMatch(/embeddings/);
  });
});
