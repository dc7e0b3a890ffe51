import { Readable } from 'node:stream';
import type { MailContent, MailStream } from '../sync/mail-message';

/**
 * A message's bytes on their way from one side to the other. A mail may be 25 MB; the app's memory goal while one
 * crosses leaves room for about one copy of it, so the bytes are read from the source as a stream and land in one
 * Buffer allocated once (when the source says how long the message is), never in a list of chunks that is then
 * concatenated (two copies at the end) nor in a Buffer that grows by doubling.
 */

/** The message as a stream: the side's own when it has one, else its Buffer seen as a stream. */
export async function openContent(content: MailContent): Promise<MailStream> {
  if (content.stream) return content.stream();
  const raw = await content.raw();
  return { body: Readable.from([raw], { objectMode: false }), length: raw.length };
}

/**
 * Reads the whole stream into one Buffer, after `front` (written first, e.g. a header line put on top). With
 * `length` known the Buffer is allocated once at its final size; a stream longer than announced still reads whole
 * (the rest goes through a second Buffer), so a wrong length costs memory, never bytes.
 */
export async function readWhole(source: MailStream, front?: Buffer): Promise<Buffer> {
  const head = front?.length ?? 0;
  if (source.length === undefined || source.length < 0) {
    const chunks: Buffer[] = front ? [front] : [];
    for await (const chunk of source.body) chunks.push(toBuffer(chunk));
    return Buffer.concat(chunks);
  }
  let out = Buffer.allocUnsafe(head + source.length);
  if (front) front.copy(out, 0);
  let at = head;
  let extra: Buffer[] | undefined;
  for await (const piece of source.body) {
    const chunk = toBuffer(piece);
    const fits = Math.min(chunk.length, out.length - at);
    chunk.copy(out, at, 0, fits);
    at += fits;
    if (fits < chunk.length) (extra ??= []).push(chunk.subarray(fits));
  }
  if (extra) out = Buffer.concat([out, ...extra]);
  else if (at < out.length) out = out.subarray(0, at);
  return out;
}

/**
 * The bytes of a stream, for a part small enough to hold. Each piece is copied: a source may reuse one Buffer for
 * the next piece (parse-mime.ts, AttachmentSource.open).
 */
export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(toBuffer(chunk)));
  return Buffer.concat(chunks);
}

const toBuffer = (chunk: unknown): Buffer =>
  Buffer.isBuffer(chunk)
    ? chunk
    : typeof chunk === 'string'
      ? Buffer.from(chunk, 'latin1')
      : Buffer.from(chunk as Uint8Array);
