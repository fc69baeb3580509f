/**
 * Collects a command's output up to a byte cap and drops the rest, so a command that prints
 * without end costs no more memory than the cap.
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly capBytes: number) {}

  append(chunk: Buffer): void {
    const room = this.capBytes - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(room, 0));
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  text(): string {
    const kept = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${kept}\n[output capped at ${this.capBytes} bytes; ${this.dropped} more bytes were dropped]` : kept;
  }
}
