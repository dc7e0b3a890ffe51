/**
 * The bytes a client sent, read as IMAP needs them: a line up to CRLF, or exactly n bytes of literal data.
 * Chunks are joined lazily so a 50 MB literal is copied once, not once per TCP segment.
 */
export class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  private wake?: () => void;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  /** A line without its CRLF; null at end of stream; 'too-long' when no CRLF came within maxBytes. */
  async line(maxBytes: number): Promise<Buffer | null | 'too-long'> {
    for (;;) {
      const joined = this.join();
      const lf = joined.indexOf(10);
      if (lf >= 0) {
        this.take(lf + 1);
        return joined.subarray(0, lf > 0 && joined[lf - 1] === 13 ? lf - 1 : lf);
      }
      if (joined.length > maxBytes) return 'too-long';
      if (this.ended) return null;
      await this.waitForData();
    }
  }

  /** Exactly n bytes; null when the stream ends first. */
  async bytes(n: number): Promise<Buffer | null> {
    while (this.length < n) {
      if (this.ended) return null;
      await this.waitForData();
    }
    const joined = this.join();
    this.take(n);
    return joined.subarray(0, n);
  }

  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private take(n: number): void {
    const joined = this.join();
    const rest = joined.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
  }

  private waitForData(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
