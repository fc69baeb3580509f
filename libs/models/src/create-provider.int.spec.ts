import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProvider, DEFAULT_WORKLOAD_PATH, GateAnswerSchema } from './index';
import { simWorkload } from './testing/sim-workload-fixture';

describe('createProvider', () => {
  it('loads a sim workload from a YAML path', async () => {
    const provider = createProvider({ backend: 'sim', workload: DEFAULT_WORKLOAD_PATH });
    const turn = await provider.turn({
      purpose: 'executor:engineer:draft',
      system: '',
      messages: [],
      tools: [{ name: 'list_files', description: 'List', inputSchema: { type: 'object' } }],
      sim: { seed: 's', taskId: 't', iteration: 1, goal: { id: 'roman', testCommand: 'node test/roman.test.js', allowedPaths: ['src/**'], maxTurns: 10 }, feedback: [] },
    });
    expect(turn).toMatchObject({ stopReason: 'tool_use', simulated: true, content: [{ name: 'list_files' }] });
  });

  it('records through an inner config and replays what it recorded', async () => {
    const cassettePath = join(mkdtempSync(join(tmpdir(), 'factory-')), 'c.json');
    const sim = {
      kind: 'judge' as const,
      decisionId: 'd1',
      role: 'engineer',
      item: 'claims_match_evidence',
      itemKind: 'gate' as const,
      rerunPassed: true,
      work: { seed: 's', goalId: 'sum', taskId: 't', iteration: 1, route: { drafter: 'frontier' as const, stream: 'draft' as const } },
    };
    const req = { purpose: 'grader:engineer:gate:claims_match_evidence', system: 's', prompt: 'p', schema: GateAnswerSchema, sim };
    const recorder = createProvider({ backend: 'replay', mode: 'record', cassettePath, inner: { backend: 'sim', workload: simWorkload() } });
    const recorded = await recorder.answer(req);
    const replayed = await createProvider({ backend: 'replay', mode: 'replay', cassettePath }).answer(req);
    expect(replayed).toEqual(recorded);
    expect(replayed).toMatchObject({ answer: { passed: true }, simulated: true });
  });
});
