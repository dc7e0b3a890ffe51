import { GraphError } from '@microsoft/microsoft-graph-client';
import {
  CursorExpiredError,
  NotFoundRemoteError,
  PermanentRemoteError,
  TransientRemoteError,
  VersionConflictRemoteError,
} from '../../sync/types';

/** Statuses Graph documents as "try again later" (429 throttling, 503/504 and friends). */
export const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Codes Graph uses when a delta token can no longer be used (doc: syncStateNotFound; observed: SyncStateNotFound). */
const CURSOR_CODES = /^(syncstatenotfound|resyncrequired|syncstateinvalid)$/i;

export interface GraphFailure {
  status: number;
  code?: string;
  message: string;
  retryAfterMs?: number;
  /** The request never got an HTTP answer (timeout, connection reset). */
  noResponse?: boolean;
}

/** Reads what went wrong from anything a Graph call can throw. */
export function describeFailure(err: unknown, nowMs = Date.now()): GraphFailure {
  if (err instanceof GraphError) {
    if (err.statusCode > 0) {
      return {
        status: err.statusCode,
        code: err.code ?? undefined,
        message: err.message || err.code || `HTTP ${err.statusCode}`,
        retryAfterMs: parseRetryAfter(err.headers?.get('retry-after'), nowMs),
      };
    }
    // statusCode -1: the SDK wrapped a fetch failure (abort, DNS, reset); its code is the original error name.
    return {
      status: 0,
      code: err.code ?? undefined,
      message: err.message || String(err.body),
      noResponse: true,
    };
  }
  const e = err as Error;
  return { status: 0, code: e?.name, message: e?.message ?? String(err), noResponse: true };
}

/** Retry-After is seconds or an HTTP date (RFC 9110); anything unreadable counts as absent. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

export function isRetryable(f: GraphFailure): boolean {
  return f.noResponse === true || RETRYABLE_STATUSES.has(f.status);
}

/**
 * A write conditioned on a version (If-Match) that the item no longer has. Outlook answers 412 with code
 * ErrorIrresolvableConflict ("the change key passed in the request does not match the current change key for the
 * item", observed in microsoftgraph/msgraph-sdk-dotnet#1201; not on the Outlook API pages).
 */
const isVersionConflict = (f: GraphFailure) => f.status === 412 || f.code === 'ErrorIrresolvableConflict';

/** Maps a failure onto the engine's error classes (shared/sync/types.ts). */
export function toSyncError(f: GraphFailure, what: string): Error {
  const detail = `${what}: ${f.status || 'no response'}${f.code ? ` ${f.code}` : ''} ${f.message}`.trim();
  if (f.status === 410 || (f.code && CURSOR_CODES.test(f.code))) return new CursorExpiredError(detail);
  if (f.status === 404) return new NotFoundRemoteError(detail);
  if (isVersionConflict(f)) return new VersionConflictRemoteError(detail);
  if (isRetryable(f)) return new TransientRemoteError(detail, f.retryAfterMs, f.status || undefined);
  return new PermanentRemoteError(detail, f.code, f.status);
}
