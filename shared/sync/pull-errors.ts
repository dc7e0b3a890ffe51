import type { PullStats } from './engine-context';
import { PermanentRemoteError, TransientRemoteError } from './types';

/**
 * A pull stopped before its end. Links saved before the failure stay (each was saved right after its own write), no
 * cursor is returned, so the caller keeps the old one and the next pull re-reads the same changes; re-processing
 * them is idempotent.
 */
export class PullFailedError extends Error {
  /** False only for a PermanentRemoteError: retrying cannot fix it, an admin must look. */
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(
    override readonly cause: unknown,
    readonly stats: PullStats,
  ) {
    super(`pull failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
    this.name = 'PullFailedError';
    this.retryable = !(cause instanceof PermanentRemoteError);
    if (cause instanceof TransientRemoteError) this.retryAfterMs = cause.retryAfterMs;
  }
}
