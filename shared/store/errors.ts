import { SyncError } from '../sync/errors';
import { ConcurrencyError } from '../sync/types';

/** A PartitionKey or RowKey the service would reject (Azurite accepts some of these, Azure does not). */
export class InvalidKeyError extends SyncError {
  constructor(message: string) {
    super(message, { code: 'storage-invalid-key', retryable: false, side: 'storage' });
  }
}

/** An entity over one of Azure's size limits (Azurite does not enforce them, Azure does). */
export class EntityTooLargeError extends SyncError {
  constructor(message: string) {
    super(message, { code: 'storage-entity-too-large', retryable: false, side: 'storage' });
  }
}

/**
 * An insert found the row already there. It extends ConcurrencyError because for a caller that meant to create
 * a new row this is the same situation as a stale etag: someone else wrote first.
 */
export class AlreadyExistsError extends ConcurrencyError {
  constructor(message = 'the row already exists') {
    super(message, 'storage-already-exists');
  }
}

/**
 * HTTP status of a storage SDK error. For single-entity operations RestError.code is undefined (the service's
 * code sits in details), so the status is the only reliable thing to branch on.
 */
export function statusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const status = (err as { statusCode?: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

/** Turns the conflicts a write can meet into the typed errors callers handle; anything else is rethrown. */
export function translateWriteError(err: unknown, what: string): never {
  const status = statusOf(err);
  if (status === 412) throw new ConcurrencyError(`${what}: the row changed since it was read`);
  if (status === 409) throw new AlreadyExistsError(`${what}: the row already exists`);
  throw err;
}

export async function ignoreNotFound(operation: Promise<unknown>): Promise<void> {
  try {
    await operation;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}
