import type { PullStats } from './engine-context';
import { PermanentRemoteError, TransientRemoteError } from './types';
import { errorFields, SyncError } from './errors';

/**
 * A pull stopped before its end. Links saved before the failure stay (each was saved right after its own write), no
 * cursor is returned, so the caller keeps the old one and the next pull re-reads the same changes; re-processing
 * them is idempotent.
 */
export class PullFailedError extends SyncError {
  readonly retryAfterMs?: number;

  /** Carries the cause's code and side; retryable unless the cause is a refusal for good (an admin must look). */
  constructor(
    override readonly cause: unknown,
    readonly stats: PullStats,
  ) {
    super(`pull failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, {
      ...errorFields(cause),
      retryable: !(cause instanceof PermanentRemoteError),
      cause,
    });
    if (cause instanceof TransientRemoteError) this.retryAfterMs = cause.retryAfterMs;
  }
}
