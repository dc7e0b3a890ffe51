import { ConfigError } from '../../../shared/platform/config';
import { EntityTooLargeError, InvalidKeyError } from '../../../shared/store/errors';
import { LeaseLostError } from '../../../shared/store/pair-state-store';
import { InvalidWorkItemError } from '../../../shared/store/work-item';
import { errorFields, SyncError } from '../../../shared/sync/errors';
import { PullFailedError } from '../../../shared/sync/pull-errors';
import { emptyStats } from '../../../shared/sync/engine-context';
import {
  ConcurrencyError,
  CursorExpiredError,
  NotFoundRemoteError,
  PermanentRemoteError,
  TransientRemoteError,
  VersionConflictRemoteError,
} from '../../../shared/sync/types';
import { QuotaExhaustedError } from '../../../shared/connectors/dingtalk/errors';
import { CallbackCryptoError } from '../../../shared/ingress/dingtalk/crypto';

describe('one error base', () => {
  test.each([
    [new TransientRemoteError('busy', 1000, 429), 'remote-throttled', true],
    [new TransientRemoteError('down', undefined, 503), 'remote-unavailable', true],
    [new PermanentRemoteError('no', 'ErrorAccessDenied', 403), 'remote-refused', false],
    [new NotFoundRemoteError(), 'remote-not-found', false],
    [new VersionConflictRemoteError(), 'remote-version-conflict', true],
    [new CursorExpiredError(), 'cursor-expired', true],
    [new ConcurrencyError(), 'storage-concurrency', true],
    [new LeaseLostError('lost'), 'lease-lost', true],
    [new InvalidKeyError('bad'), 'storage-invalid-key', false],
    [new EntityTooLargeError('big'), 'storage-entity-too-large', false],
    [new InvalidWorkItemError('bad'), 'invalid-work-item', false],
    [new ConfigError(['X is missing']), 'config-invalid', false],
    [new CallbackCryptoError('bad_base64', 'bad'), 'callback-bad_base64', false],
    [new QuotaExhaustedError('spent', 1000, '2026-12-31T16:00:00Z'), 'remote-unavailable', true],
  ])('%s carries code %s and retryable %s, and keeps its own name', (err, code, retryable) => {
    expect(err).toBeInstanceOf(SyncError);
    expect(err).toBeInstanceOf(Error);
    expect(errorFields(err)).toMatchObject({ code, retryable });
    expect(err.name).toBe(err.constructor.name);
  });

  test('a failed pull carries its cause code and side; only a refusal for good is not retryable', () => {
    const refused = new PermanentRemoteError('no', 'forbidden.notOrganizer', 403);
    refused.side = 'dingtalk';
    expect(errorFields(new PullFailedError(refused, emptyStats()))).toEqual({
      code: 'remote-refused',
      retryable: false,
      side: 'dingtalk',
    });
    const busy = new PullFailedError(new TransientRemoteError('busy', 2000, 429), emptyStats());
    expect(errorFields(busy)).toMatchObject({ code: 'remote-throttled', retryable: true });
    expect(busy.retryAfterMs).toBe(2000);
    expect(errorFields(new PullFailedError(new TypeError('bug'), emptyStats()))).toEqual({
      code: 'unexpected',
      retryable: true,
    });
  });
});
