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

  /** The kept output as text, with control bytes shown as escapes (see `visibleText`). */
  text(): string {
    const kept = visibleText(Buffer.concat(this.chunks).toString('utf8'));
    return this.truncated ? `${kept}\n[output capped at ${this.capBytes} bytes; ${this.dropped} more bytes were dropped]` : kept;
  }
}

/** Control characters other than tab, newline and a CR that ends a line; DEL and the C1 range (0x9b is a CSI). */
const CONTROL = /\r(?!\n)|[\0-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;

/**
 * `text` with every control character written as a visible `\xNN`: a command's output is stored
 * in the log and databases (PostgreSQL refuses NUL in text) and shown on terminals, where escape
 * sequences could clear the screen, retitle the window or overwrite a line to spoof what ran.
 */
export function visibleText(text: string): string {
  return text.replace(CONTROL, escaped);
}

/** A file name with every control character escaped, newline and tab too: a name is one line of a listing. */
export function visibleName(name: string): string {
  return name.replace(/[\0-\x1f\x7f-\x9f]/g, escaped);
}

const escaped = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
