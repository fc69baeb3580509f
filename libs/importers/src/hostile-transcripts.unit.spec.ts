import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTranscript, TranscriptRefused } from './read-transcript';

/** Values nested deeper than the importer's own recursion reaches: JSON.parse takes them, re-serializing them does not. */
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const SESSION = '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

describe('a transcript nested deeper than can be re-read is refused, not a crash of the batch', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lw-hostile-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const refused = async (file: string) => {
    const error = await readTranscript(file).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TranscriptRefused);
    expect((error as Error).message).toMatch(/nested too deeply/);
  };

  it('in a Claude Code entry', async () => {
    const file = join(dir, `${SESSION}.jsonl`);
    const line = (o: object) => JSON.stringify(o);
    writeFileSync(file, [
      line({ type: 'user', sessionId: SESSION, uuid: 'u1', message: { role: 'user', content: 'Fix it.' } }),
      `{"type":"assistant","sessionId":"${SESSION}","uuid":"u2","message":{"id":"m","role":"assistant","content":[{"type":"text","text":"x"}],"x":${deep(200_000)}}}`,
    ].join('\n'));
    await refused(file);
  });

  it('in an entry of an unknown type', async () => {
    const file = join(dir, `${SESSION}.jsonl`);
    writeFileSync(file, [
      JSON.stringify({ type: 'user', sessionId: SESSION, uuid: 'u1', message: { role: 'user', content: 'Fix it.' } }),
      `{"type":"mystery","sessionId":"${SESSION}","payload":${deep(200_000)}}`,
    ].join('\n'));
    await refused(file);
  });

  it('in an OpenHands SDK event', async () => {
    const conversation = join(dir, 'conv');
    mkdirSync(join(conversation, 'events'), { recursive: true });
    writeFileSync(join(conversation, 'base_state.json'), JSON.stringify({ id: 'c1' }));
    writeFileSync(join(conversation, 'events', 'event-00000-aaaaaaaa.json'), JSON.stringify({ kind: 'MessageEvent', source: 'user', llm_message: { role: 'user', content: [{ type: 'text', text: 'go' }] } }));
    writeFileSync(join(conversation, 'events', 'event-00001-bbbbbbbb.json'), `{"kind":"ActionEvent","source":"agent","tool_name":"odd","tool_call_id":"c","action":{"kind":"OddAction","x":${deep(200_000)}}}`);
    await refused(conversation);
  });
});
