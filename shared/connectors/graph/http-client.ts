import type { Client } from '@microsoft/microsoft-graph-client';
import type { Logger } from '../../platform/logger';
import { describeFailure, isRetryable, toSyncError } from './errors';
import { MailboxLimiter } from './mailbox-limiter';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryHooks, type RetryPolicy } from './retry-policy';
import type { ClientCredentialsTokenProvider } from './token-provider';

/**
 * Every Graph call of the project goes through here: per-mailbox concurrency, a timeout per attempt, bounded
 * retries for idempotent methods, one token refresh on 401, and errors mapped onto the engine's error classes.
 * POST is never retried: a POST whose answer was lost may have been applied (creates carry their own
 * idempotency keys instead: transactionId, extended-property stamps).
 */

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface GraphCall {
  method: GraphMethod;
  /** Path under /v1.0 ("/users/{id}/events"), or an absolute https nextLink/deltaLink. Query values pre-encoded. */
  path: string;
  /** Entra user id whose mailbox the call touches; calls for one mailbox share its concurrency limit. */
  mailbox?: string;
  body?: unknown;
  /** Extra Prefer preferences (IdType="ImmutableId" is added to every request by the client's middleware). */
  prefer?: string[];
  /** Words for error messages and logs, e.g. "create event". */
  what?: string;
  /** If-Match value (an @odata.etag); Graph answers 412 when the item has another version (docs/graph.md). */
  ifMatch?: string;
}

export interface GraphApiOptions {
  limiter?: MailboxLimiter;
  retryPolicy?: RetryPolicy;
  retryHooks?: RetryHooks;
  timeoutMs?: number;
  /** Lets a 401 InvalidAuthenticationToken drop the cached token once and try again. */
  tokenProvider?: Pick<ClientCredentialsTokenProvider, 'invalidate'>;
  logger?: Logger;
}

const IDEMPOTENT: ReadonlySet<GraphMethod> = new Set(['GET', 'PATCH', 'DELETE']);

export class GraphApi {
  readonly limiter: MailboxLimiter;
  private readonly retryPolicy: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: Client,
    private readonly options: GraphApiOptions = {},
  ) {
    this.limiter = options.limiter ?? new MailboxLimiter(4);
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async call<T>(call: GraphCall): Promise<T> {
    const what = call.what ?? `${call.method} ${call.path.split('?')[0]}`;
    let refreshedToken = false;
    const classify = (error: unknown) => {
      const f = describeFailure(error);
      if (f.status === 401 && !refreshedToken && this.options.tokenProvider) {
        // A 401 means the request was not executed, so even a POST may be sent again with a fresh token.
        refreshedToken = true;
        this.options.tokenProvider.invalidate();
        return { retryable: true, retryAfterMs: 0 };
      }
      return { retryable: IDEMPOTENT.has(call.method) && isRetryable(f), retryAfterMs: f.retryAfterMs };
    };
    try {
      return await withRetry(() => this.attempt<T>(call), classify, this.retryPolicy, {
        ...this.options.retryHooks,
        onRetry: (info) => {
          this.options.logger?.warn('graph call retried', {
            what,
            attempt: info.attempt,
            delayMs: info.delayMs,
            status: describeFailure(info.error).status,
          });
          this.options.retryHooks?.onRetry?.(info);
        },
      });
    } catch (error) {
      throw toSyncError(describeFailure(error), what);
    }
  }

  get<T>(path: string, options: Omit<GraphCall, 'method' | 'path' | 'body'> = {}): Promise<T> {
    return this.call<T>({ ...options, method: 'GET', path });
  }

  post<T>(
    path: string,
    body: unknown,
    options: Omit<GraphCall, 'method' | 'path' | 'body'> = {},
  ): Promise<T> {
    return this.call<T>({ ...options, method: 'POST', path, body });
  }

  patch<T>(
    path: string,
    body: unknown,
    options: Omit<GraphCall, 'method' | 'path' | 'body'> = {},
  ): Promise<T> {
    return this.call<T>({ ...options, method: 'PATCH', path, body });
  }

  delete(path: string, options: Omit<GraphCall, 'method' | 'path' | 'body'> = {}): Promise<void> {
    return this.call<void>({ ...options, method: 'DELETE', path });
  }

  private attempt<T>(call: GraphCall): Promise<T> {
    const send = () => this.send<T>(call);
    return call.mailbox ? this.limiter.run(call.mailbox, send) : send();
  }

  private async send<T>(call: GraphCall): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('Graph request timed out')), this.timeoutMs);
    try {
      let request = this.client.api(call.path).option('signal', controller.signal);
      if (call.prefer?.length) request = request.header('Prefer', call.prefer.join(', '));
      if (call.ifMatch !== undefined) request = request.header('If-Match', call.ifMatch);
      switch (call.method) {
        case 'GET':
          return (await request.get()) as T;
        case 'POST':
          return (await request.post(call.body ?? {})) as T;
        case 'PATCH':
          return (await request.patch(call.body ?? {})) as T;
        case 'DELETE':
          return (await request.delete()) as T;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
