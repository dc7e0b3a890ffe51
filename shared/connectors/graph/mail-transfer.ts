import type { Client } from '@microsoft/microsoft-graph-client';
import { graphClientSdk } from '../../platform/lazy-sdks';
import { PermanentRemoteError, TransientRemoteError } from '../../sync/types';
import { describeFailure, isRetryable, parseRetryAfter, RETRYABLE_STATUSES, toSyncError } from './errors';
import type { MailboxLimiter } from './mailbox-limiter';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryHooks, type RetryPolicy } from './retry-policy';

/**
 * The two byte-level transfers of mail that GraphApi's JSON calls do not cover, with the same per-mailbox limit,
 * bounded retries and error mapping:
 * - the raw MIME of a message (`GET …/messages/{id}/$value`), read as one ArrayBuffer and handed on as a Buffer
 *   over it (no copy);
 * - the chunks of an attachment upload session (`PUT uploadUrl`), which go to a pre-authenticated URL and must not
 *   carry the Authorization header (Microsoft Graph, "Attach large files to Outlook messages"), so they bypass
 *   the SDK client and its authentication middleware. Each chunk is a view of the attachment's Buffer.
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
    try {
      return await withRetry(
        () => this.options.limiter.run(mailbox, read),
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
   * Sends `content` to an upload session in order, one chunk per PUT (Content-Range), retrying a chunk on 429/5xx.
   * Resolves when the service has the whole file (201 on the last chunk).
   */
  async upload(uploadUrl: string, mailbox: string, content: Buffer, what: string): Promise<void> {
    const total = content.length;
    for (let start = 0; start < total; start += UPLOAD_CHUNK_BYTES) {
      const end = Math.min(start + UPLOAD_CHUNK_BYTES, total);
      const chunk = content.subarray(start, end);
      await withRetry(
        () => this.options.limiter.run(mailbox, () => this.putChunk(uploadUrl, chunk, start, total, what)),
        (err) => ({
          retryable: err instanceof TransientRemoteError,
          retryAfterMs: err instanceof TransientRemoteError ? err.retryAfterMs : undefined,
        }),
        this.policy,
        this.options.retryHooks,
      );
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
