import { GraphError } from '@microsoft/microsoft-graph-client';
import { describeFailure, parseRetryAfter, toSyncError } from '../../../shared/connectors/graph/errors';
import {
  CursorExpiredError,
  NotFoundRemoteError,
  PermanentRemoteError,
  TransientRemoteError,
  VersionConflictRemoteError,
} from '../../../shared/sync/types';

function graphError(status: number, code: string, headers: Record<string, string> = {}): GraphError {
  const e = new GraphError(status, `message for ${code}`);
  e.code = code;
  e.headers = new Headers(headers);
  return e;
}

const map = (e: unknown) => toSyncError(describeFailure(e, Date.parse('2026-11-22T08:00:00Z')), 'test call');

describe('Graph error mapping', () => {
  test('410 Gone and syncStateNotFound (any casing, any status) mean the cursor expired', () => {
    expect(map(graphError(410, 'SyncStateNotFound'))).toBeInstanceOf(CursorExpiredError);
    expect(map(graphError(400, 'syncStateNotFound'))).toBeInstanceOf(CursorExpiredError);
    expect(map(graphError(400, 'resyncRequired'))).toBeInstanceOf(CursorExpiredError);
  });

  test('404 is not found', () => {
    expect(map(graphError(404, 'ErrorItemNotFound'))).toBeInstanceOf(NotFoundRemoteError);
  });

  test('412 on If-Match, or the change-key conflict code, is a version conflict', () => {
    expect(map(graphError(412, 'ErrorIrresolvableConflict'))).toBeInstanceOf(VersionConflictRemoteError);
    expect(map(graphError(412, 'PreconditionFailed'))).toBeInstanceOf(VersionConflictRemoteError);
    expect(map(graphError(409, 'ErrorIrresolvableConflict'))).toBeInstanceOf(VersionConflictRemoteError);
  });

  test.each([429, 500, 502, 503, 504])('%i is transient and keeps Retry-After', (status) => {
    const e = map(graphError(status, 'TooManyRequests', { 'retry-after': '12' })) as TransientRemoteError;
    expect(e).toBeInstanceOf(TransientRemoteError);
    expect(e.retryAfterMs).toBe(12_000);
    expect(e.status).toBe(status);
  });

  test('no answer at all (timeout, reset) is transient', () => {
    const aborted = new GraphError(-1, 'The operation was aborted');
    aborted.code = 'AbortError';
    expect(map(aborted)).toBeInstanceOf(TransientRemoteError);
    expect(map(new TypeError('fetch failed'))).toBeInstanceOf(TransientRemoteError);
  });

  test.each([
    [400, 'ErrorInvalidRequest'],
    [401, 'InvalidAuthenticationToken'],
    [403, 'ErrorAccessDenied'],
    [409, 'Conflict'],
  ])('%i %s is permanent and keeps the code', (status, code) => {
    const e = map(graphError(status, code)) as PermanentRemoteError;
    expect(e).toBeInstanceOf(PermanentRemoteError);
    expect(e.remoteCode).toBe(code);
    expect(e.status).toBe(status);
    expect(e.message).toContain('test call');
  });

  test('Retry-After as seconds or HTTP date', () => {
    const now = Date.parse('2026-11-22T08:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
