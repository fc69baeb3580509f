import { readAtMost } from './bounded-download';

describe('readAtMost', () => {
  const streamOf = (chunks: number[], pulled: { count: number }) =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) return controller.close();
        pulled.count++;
        controller.enqueue(new Uint8Array(next).fill(7));
      },
    });

  it('reads a body within the limit whole', async () => {
    const pulled = { count: 0 };
    expect(await readAtMost(new Response(streamOf([3, 4], pulled)), 7, 'the archive')).toEqual(new Uint8Array(7).fill(7));
  });

  it('stops once past the limit, before the end of the body', async () => {
    const pulled = { count: 0 };
    await expect(readAtMost(new Response(streamOf([4, 4, 4, 4], pulled)), 7, 'the archive')).rejects.toThrow('the archive is larger than 7 bytes: it is not read');
    expect(pulled.count).toBeLessThan(4);
  });

  it('refuses a body whose declared length is past the limit without reading it', async () => {
    const pulled = { count: 0 };
    const response = new Response(streamOf([4, 4], pulled), { headers: { 'content-length': '8' } });
    await expect(readAtMost(response, 7, 'the archive')).rejects.toThrow(/larger than 7 bytes/);
    expect(pulled.count).toBeLessThanOrEqual(1);
  });
});
