import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { AnswerRequest, AnswerResult, ModelProvider, TurnRequest, TurnResult } from '../provider';
import { UnusableAnswerError } from '../unusable-answer-error';
import { MissingRecordingError } from './missing-recording-error';
import { createReplayProvider } from './replay-provider';
import { answerRequestHash, turnRequestHash } from './request-hash';

const call = { usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0.001, model: 'm', latencyMs: 12, simulated: false };

/** A hand-written provider that answers from a script and counts its calls. */
function scriptedProvider(answer: unknown, turn: Omit<TurnResult, keyof typeof call>) {
  const calls = { answer: 0, turn: 0 };
  const provider: ModelProvider = {
    name: 'scripted',
    async answer<T>(req: AnswerRequest<T>): Promise<AnswerResult<T>> {
      calls.answer++;
      return { ...call, answer: req.schema.parse(answer), attempts: 1 };
    },
    async turn(): Promise<TurnResult> {
      calls.turn++;
      return { ...call, ...turn };
    },
  };
  return { provider, calls };
}

const Gate = z.object({ passed: z.boolean(), evidence: z.string() });
const answerReq: AnswerRequest<z.infer<typeof Gate>> = { purpose: 'grader:engineer:gate:x', system: 'rubric', prompt: 'work', schema: Gate };
const turnReq: TurnRequest = {
  purpose: 'executor:engineer:draft',
  system: 'engineer',
  tools: [{ name: 'list_files', description: 'List', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'go' }] }],
};

describe('replay provider', () => {
  let path: string;
  beforeEach(() => {
    path = join(mkdtempSync(join(tmpdir(), 'cassette-')), 'nested', 'cassette.json');
  });

  it('records answers and turns, then replays them without the inner provider', async () => {
    const { provider: inner, calls } = scriptedProvider({ passed: true, evidence: 'ran' }, {
      content: [{ type: 'tool_use', id: 't1', name: 'list_files', input: { path: '.' } }],
      stopReason: 'tool_use',
    });
    const recorder = createReplayProvider({ mode: 'record', cassettePath: path, inner });
    const recordedAnswer = await recorder.answer(answerReq);
    const recordedTurn = await recorder.turn(turnReq);
    expect(calls).toEqual({ answer: 1, turn: 1 });

    const file = JSON.parse(readFileSync(path, 'utf8'));
    expect(Object.keys(file.entries).sort()).toEqual([answerRequestHash(answerReq), turnRequestHash(turnReq)].sort());

    const player = createReplayProvider({ mode: 'replay', cassettePath: path });
    expect(await player.answer(answerReq)).toEqual(recordedAnswer);
    expect(await player.turn(turnReq)).toEqual(recordedTurn);
    expect(calls).toEqual({ answer: 1, turn: 1 });
  });

  it('keeps the entries already recorded when recording more', async () => {
    const first = scriptedProvider({ passed: true, evidence: 'a' }, { content: [{ type: 'text', text: 'done' }], stopReason: 'end_turn' });
    await createReplayProvider({ mode: 'record', cassettePath: path, inner: first.provider }).answer(answerReq);
    await createReplayProvider({ mode: 'record', cassettePath: path, inner: first.provider }).turn(turnReq);

    const player = createReplayProvider({ mode: 'replay', cassettePath: path });
    expect((await player.answer(answerReq)).answer).toEqual({ passed: true, evidence: 'a' });
    expect((await player.turn(turnReq)).content).toEqual([{ type: 'text', text: 'done' }]);
  });

  it('names the missing request hash, and a changed schema or prompt is a different request', async () => {
    const { provider: inner } = scriptedProvider({ passed: true, evidence: 'a' }, { content: [], stopReason: 'end_turn' });
    await createReplayProvider({ mode: 'record', cassettePath: path, inner }).answer(answerReq);
    const player = createReplayProvider({ mode: 'replay', cassettePath: path });

    const otherSchema = { ...answerReq, schema: Gate.extend({ confidence: z.number() }) };
    const error = (await player.answer(otherSchema).catch((e: unknown) => e)) as MissingRecordingError;
    expect(error).toBeInstanceOf(MissingRecordingError);
    expect(error.requestHash).toBe(answerRequestHash(otherSchema));
    expect(error.message).toContain(answerRequestHash(otherSchema));
    expect(error.message).toContain(path);
    await expect(player.answer({ ...answerReq, prompt: 'other work' })).rejects.toThrow(MissingRecordingError);
    await expect(player.turn(turnReq)).rejects.toThrow(/no recording of turn request [0-9a-f]{64}/);
  });

  it('hashes equal requests equally whatever their key order, and ignores maxTokens', () => {
    const reordered: TurnRequest = {
      tools: [{ inputSchema: { properties: { path: { type: 'string' } }, type: 'object' }, description: 'List', name: 'list_files' }],
      messages: turnReq.messages,
      system: 'engineer',
      purpose: 'executor:engineer:draft',
      maxTokens: 99,
    };
    expect(turnRequestHash(reordered)).toBe(turnRequestHash(turnReq));
    expect(turnRequestHash({ ...turnReq, system: 'other' })).not.toBe(turnRequestHash(turnReq));
  });

  it('validates a recorded answer against the schema before returning it', async () => {
    const { provider: inner } = scriptedProvider({ passed: true, evidence: 'a' }, { content: [], stopReason: 'end_turn' });
    await createReplayProvider({ mode: 'record', cassettePath: path, inner }).answer(answerReq);
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.entries[answerRequestHash(answerReq)].result.answer = { passed: 'yes' };
    writeFileSync(path, JSON.stringify(file));

    const player = createReplayProvider({ mode: 'replay', cassettePath: path });
    await expect(player.answer(answerReq)).rejects.toThrow(UnusableAnswerError);
  });

  it('refuses to replay from a cassette that does not exist', () => {
    expect(() => createReplayProvider({ mode: 'replay', cassettePath: path })).toThrow(/cassette .* cannot be read/);
  });
});
