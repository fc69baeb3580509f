import { ApplyPipeline } from './apply-pipeline';

/** A lane whose batches finish when the test says, recording what it started and finished. */
function controlledLane(name: string, log: string[]) {
  const finishers: (() => void)[] = [];
  const apply = (batch: number) => {
    log.push(`${name} start ${batch}`);
    return new Promise<void>((resolve) => finishers.push(() => (log.push(`${name} done ${batch}`), resolve())));
  };
  return { apply, finishNext: () => finishers.shift()?.() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ApplyPipeline', () => {
  it('gives every lane every batch in order, one at a time per lane, lanes side by side', async () => {
    const log: string[] = [];
    const a = controlledLane('a', log);
    const b = controlledLane('b', log);
    const applied: number[] = [];
    const pipeline = new ApplyPipeline<number>([a.apply, b.apply], 2, (batch) => applied.push(batch));
    await pipeline.submit(1);
    await pipeline.submit(2);
    await settle();
    expect(log).toEqual(['a start 1', 'b start 1']);

    b.finishNext();
    await settle();
    expect(log).toEqual(['a start 1', 'b start 1', 'b done 1', 'b start 2']);
    expect(applied).toEqual([]);

    a.finishNext();
    await settle();
    expect(applied).toEqual([1]);
    a.finishNext();
    b.finishNext();
    await pipeline.drain();
    expect(applied).toEqual([1, 2]);
  });

  it('holds the caller while `depth` batches are in flight', async () => {
    const log: string[] = [];
    const a = controlledLane('a', log);
    const pipeline = new ApplyPipeline<number>([a.apply], 1, () => undefined);
    await pipeline.submit(1);
    let second = false;
    const submitting = pipeline.submit(2).then(() => (second = true));
    await settle();
    expect(second).toBe(false);
    a.finishNext();
    await submitting;
    expect(second).toBe(true);
    a.finishNext();
    await pipeline.drain();
    expect(log).toEqual(['a start 1', 'a done 1', 'a start 2', 'a done 2']);
  });

  it('after a lane fails, applies nothing more in that lane and throws its error once the others settle', async () => {
    const log: string[] = [];
    const b = controlledLane('b', log);
    const failing = async (batch: number) => {
      log.push(`a start ${batch}`);
      throw new Error(`a failed on ${batch}`);
    };
    const applied: number[] = [];
    const pipeline = new ApplyPipeline<number>([failing, b.apply], 3, (batch) => applied.push(batch));
    await pipeline.submit(1);
    await pipeline.submit(2);
    b.finishNext();
    await settle();
    b.finishNext();
    await expect(pipeline.submit(3)).rejects.toThrow('a failed on 1');
    await expect(pipeline.drain()).rejects.toThrow('a failed on 1');
    expect(log.filter((line) => line.startsWith('a'))).toEqual(['a start 1']);
    expect(log).not.toContain('b start 3');
    expect(applied).toEqual([]);
  });
});
