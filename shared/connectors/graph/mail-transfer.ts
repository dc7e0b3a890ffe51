import { Readable } from 'node:stream';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { MailStream } from '../../sync/mail-message';
import { graphClientSdk } from '../../platform/lazy-sdks';
import { PermanentRemoteError, TransientRemoteError } from '../../sync/types';
import { describeFailure, isRetryable, parseRetryAfter, RETRYABLE_STATUSES, toSyncError } from './errors';
import type { MailboxLimiter } from './mailbox-limiter';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryHooks, type RetryPolicy } from './retry-policy';

/**
 * The two byte-level transfers of mail that GraphApi's JSON calls do not cover, with the same per-mailbox limit,
 * bounded retries and error mapping:
 * - the raw MIME of a message (`GET …/messages/{id}/$value`), as a stream with its Content-Length, or read as one
 *   ArrayBuffer and handed on as a Buffer over it (no copy);
 * - the chunks of an attachment upload session (`PUT uploadUrl`), which go to a pre-authenticated URL and must not
 *   carry the Authorization header (Microsoft Graph, "Attach large files to Outlook messages"), so they bypass
 *   the SDK client and its authentication middleware. The chunks are read from a stream of the attachment's
 *   decoded bytes one at a time (or are views of its Buffer): an attachment of up to 150 MB is never held whole.
 */

export interface MailTransferOptions {
  client: Client;
  limiter: MailboxLimiter;
  retryPolicy?: RetryPolicy;
  retryHooks?: RetryHooks;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Chunks stay under 4 MB per request (Graph's limit); a multiple of 320 KiB, as Graph's upload examples use. */
export const UPLOAD_CHUNK_BYTES = 320 * 1024 * 10;

export class MailTransfer {
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: MailTransferOptions) {
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    // A 25 MB message over a slow link needs longer than a JSON call.
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.fetchFn = options.fetch ?? fetch;
  }

  /** The exact RFC 5322 bytes of a message. */
  async rawMessage(path: string, mailbox: string, what: string): Promise<Buffer> {
    const read = async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('Graph request timed out')), this.timeoutMs);
      try {
        const body = (await this.options.client
          .api(path)
          .option('signal', controller.signal)
          .responseType(graphClientSdk().ResponseType.ARRAYBUFFER)
          .get()) as ArrayBuffer | Buffer;
        return Buffer.isBuffer(body) ? body : Buffer.from(body);
      } finally {
        clearTimeout(timer);
      }
    };
    return this.request(mailbox, what, read);
  }

  /**
   * The exact RFC 5322 bytes of a message as a stream, with their length when Graph sends a Content-Length. Only
   * the request is retried: a stream that fails halfway fails the copy, which the engine makes again later.
   */
  async rawMessageStream(path: string, mailbox: string, what: string): Promise<MailStream> {
    const open = async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('Graph request timed out')), this.timeoutMs);
      try {
        const res = (await this.options.client
          .api(path)
          .option('signal', controller.signal)
          .responseType(graphClientSdk().ResponseType.RAW)
          .get()) as Response;
        if (!res.ok) throw await graphErrorOf(res);
        if (!res.body) throw new TransientRemoteError(`${what}: the answer had no body`);
        // A compressed answer's Content-Length counts the compressed bytes, not the message's.
        const length = res.headers.get('content-encoding')
          ? NaN
          : Number(res.headers.get('content-length') ?? NaN);
        // The timeout covers the whole read, as for the ArrayBuffer read: a stalled body is aborted.
        const body = Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]);
        const done = () => clearTimeout(timer);
        body.once('close', done);
        return { body, length: Number.isSafeInteger(length) && length >= 0 ? length : undefined };
      } catch (err) {
        clearTimeout(timer);
        throw err;
      }
    };
    return this.request(mailbox, what, open);
  }

  /** A GET through the mailbox's limit, retried on 429/5xx and failed connections, its error mapped. */
  private async request<T>(mailbox: string, what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(
        () => this.options.limiter.run(mailbox, call),
        (err) => {
          const f = describeFailure(err);
          return { retryable: isRetryable(f), retryAfterMs: f.retryAfterMs };
        },
        this.policy,
        this.options.retryHooks,
      );
    } catch (err) {
      throw toSyncError(describeFailure(err), what);
    }
  }

  /**
   * Sends an attachment of `total` bytes to an upload session in order, one chunk per PUT (Content-Range),
   * retrying a chunk on 429/5xx. `content` is its Buffer, or its bytes piece by piece, copied into a chunk as each
   * piece comes (a piece may be a view the source reuses; the chunk's Buffer is reused too, once the service has
   * taken it). Resolves when the service has the whole file (201 on the last chunk).
   */
  async upload(
    uploadUrl: string,
    mailbox: string,
    content: Buffer | AsyncIterable<Uint8Array>,
    what: string,
    total = Buffer.isBuffer(content) ? content.length : NaN,
  ): Promise<void> {
    const send = (chunk: Buffer, start: number) =>
      withRetry(
        () => this.options.limiter.run(mailbox, () => this.putChunk(uploadUrl, chunk, start, total, what)),
        (err) => ({
          retryable: err instanceof TransientRemoteError,
          retryAfterMs: err instanceof TransientRemoteError ? err.retryAfterMs : undefined,
        }),
        this.policy,
        this.options.retryHooks,
      );
    if (Buffer.isBuffer(content)) {
      for (let start = 0; start < total; start += UPLOAD_CHUNK_BYTES) {
        await send(content.subarray(start, Math.min(start + UPLOAD_CHUNK_BYTES, total)), start);
      }
      return;
    }
    if (!Number.isSafeInteger(total) || total <= 0) {
      if (content instanceof Readable) content.destroy();
      throw new PermanentRemoteError(`${what}: the attachment's size is not known`);
    }
    const chunk = Buffer.allocUnsafe(Math.min(UPLOAD_CHUNK_BYTES, total));
    let start = 0;
    let filled = 0;
    try {
      for await (const piece of content) {
        let bytes = Buffer.isBuffer(piece)
          ? piece
          : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        while (bytes.length) {
          if (start + filled + bytes.length > total) {
            throw new PermanentRemoteError(
              `${what}: the attachment is longer than the ${total} bytes announced`,
            );
          }
          const taken = bytes.copy(chunk, filled, 0, Math.min(bytes.length, chunk.length - filled));
          filled += taken;
          bytes = bytes.subarray(taken);
          if (filled === chunk.length || start + filled === total) {
            await send(chunk.subarray(0, filled), start);
            start += filled;
            filled = 0;
          }
        }
      }
    } finally {
      // Given up halfway (for await returns the source when the loop throws) or read to the end: nothing to keep.
      if (content instanceof Readable) content.destroy();
    }
    if (start !== total) {
      throw new PermanentRemoteError(`${what}: the attachment ended after ${start} of ${total} bytes`);
    }
  }

  private async putChunk(
    url: string,
    chunk: Buffer,
    start: number,
    total: number,
    what: string,
  ): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('upload timed out')), this.timeoutMs);
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method: 'PUT',
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `bytes ${start}-${start + chunk.length - 1}/${total}`,
        },
        body: chunk,
        signal: controller.signal,
      });
    } catch (err) {
      throw new TransientRemoteError(`${what}: no response (${(err as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
    if (res.ok) {
      await res.arrayBuffer().catch(() => undefined);
      return;
    }
    const text = await res.text().catch(() => '');
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      code = undefined;
    }
    const detail = `${what}: ${res.status}${code ? ` ${code}` : ''} ${text.slice(0, 300)}`.trim();
    if (RETRYABLE_STATUSES.has(res.status)) {
      throw new TransientRemoteError(detail, parseRetryAfter(res.headers.get('retry-after')), res.status);
    }
    throw new PermanentRemoteError(detail, code, res.status);
  }
}

/** A refused `$value` read as the SDK would have reported it, so errors.ts maps it like any other call. */
async function graphErrorOf(res: Response): Promise<Error> {
  const text = await res.text().catch(() => '');
  let body: { error?: { code?: string; message?: string } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const { GraphError } = graphClientSdk();
  const error = new GraphError(
    res.status,
    body?.error?.message || text.slice(0, 300) || `HTTP ${res.status}`,
  );
  error.code = body?.error?.code ?? null;
  error.headers = res.headers;
  return error;
}
