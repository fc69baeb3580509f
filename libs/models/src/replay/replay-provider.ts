import type { AnswerRequest, AnswerResult, ModelProvider, TurnRequest, TurnResult } from '../provider';
import { checkAnswer } from '../structured/validated-answer';
import { UnusableAnswerError } from '../unusable-answer-error';
import { Cassette, CassetteEntry, readCassette, readCassetteIfExists, writeCassette } from './cassette';
import { MissingRecordingError } from './missing-recording-error';
import { answerRequestHash, turnRequestHash } from './request-hash';

export type ReplayProviderOptions =
  /** Answers only from the cassette; a request it does not hold is an error naming its hash. */
  | { mode: 'replay'; cassettePath: string }
  /** Asks `inner` and writes every response into the cassette, keeping the entries already there. */
  | { mode: 'record'; cassettePath: string; inner: ModelProvider };

export function createReplayProvider(options: ReplayProviderOptions): ModelProvider {
  return options.mode === 'replay' ? new ReplayingProvider(options.cassettePath) : new RecordingProvider(options.cassettePath, options.inner);
}

class ReplayingProvider implements ModelProvider {
  readonly name = 'replay';
  private readonly cassette: Cassette;

  constructor(private readonly path: string) {
    this.cassette = readCassette(path);
  }

  async answer<T>(req: AnswerRequest<T>): Promise<AnswerResult<T>> {
    const hash = answerRequestHash(req);
    const entry = this.find(hash, 'answer', req.purpose);
    if (entry.kind !== 'answer') throw new MissingRecordingError(hash, 'answer', req.purpose, this.path);
    const { answer, attempts, ...call } = entry.result;
    // Never return an unvalidated answer, even a recorded one.
    const check = checkAnswer({ kind: 'json', value: answer }, req.schema);
    if (!check.ok) throw new UnusableAnswerError(req.purpose, [check.rawText], check.issues, call);
    return { ...call, answer: check.value, attempts };
  }

  async turn(req: TurnRequest): Promise<TurnResult> {
    const hash = turnRequestHash(req);
    const entry = this.find(hash, 'turn', req.purpose);
    if (entry.kind !== 'turn') throw new MissingRecordingError(hash, 'turn', req.purpose, this.path);
    return structuredClone(entry.result);
  }

  private find(hash: string, kind: 'answer' | 'turn', purpose: string): CassetteEntry {
    const entry = this.cassette.entries[hash];
    if (!entry) throw new MissingRecordingError(hash, kind, purpose, this.path);
    return entry;
  }
}

class RecordingProvider implements ModelProvider {
  readonly name = 'replay';
  private readonly cassette: Cassette;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly inner: ModelProvider,
  ) {
    this.cassette = readCassetteIfExists(path);
  }

  async answer<T>(req: AnswerRequest<T>): Promise<AnswerResult<T>> {
    const result = await this.inner.answer(req);
    await this.record(answerRequestHash(req), { kind: 'answer', purpose: req.purpose, result });
    return result;
  }

  async turn(req: TurnRequest): Promise<TurnResult> {
    const result = await this.inner.turn(req);
    await this.record(turnRequestHash(req), { kind: 'turn', purpose: req.purpose, result });
    return result;
  }

  private record(hash: string, entry: CassetteEntry): Promise<void> {
    this.cassette.entries[hash] = structuredClone(entry);
    // Serialized, so concurrent calls do not interleave their renames; a failed write does not block the next.
    this.writes = this.writes.catch(() => undefined).then(() => writeCassette(this.path, this.cassette));
    return this.writes;
  }
}
