import { ValidationError } from '@loopwright/core';

/**
 * The body of a download, read no further than `maxBytes`: a body that says or turns out to be
 * larger is refused, and the rest is never read into memory.
 */
export async function readAtMost(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const tooLarge = () => new ValidationError(`${what} is larger than ${maxBytes} bytes: it is not read`);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    total += read.value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
