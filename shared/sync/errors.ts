import type { Side } from './types';

/** Where an error arose: one of the two services, or a part of the app itself. */
export type ErrorSource = Side | 'storage' | 'config' | 'ingress' | 'queue' | 'engine';

export interface SyncErrorFields {
  /** Stable, machine-readable: what happened, for logs, the failures table and an admin's filters. */
  code: string;
  /** Whether the same work may succeed later without anyone changing anything. */
  retryable: boolean;
  /** The side or part where it arose, when known. */
  side?: ErrorSource;
  cause?: unknown;
}

/**
 * The one base of every error the app raises on purpose. Callers branch on `retryable` and `code` rather than on
 * a class list, and logs carry the three fields whatever the error.
 */
export class SyncError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  side?: ErrorSource;

  constructor(message: string, fields: SyncErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = new.target.name;
    this.code = fields.code;
    this.retryable = fields.retryable;
    this.side = fields.side;
  }
}

/** The fields of any error, for a log line or a failure row; an error not raised by the app counts as retryable. */
export function errorFields(err: unknown): { code: string; retryable: boolean; side?: ErrorSource } {
  if (err instanceof SyncError) return { code: err.code, retryable: err.retryable, side: err.side };
  return { code: 'unexpected', retryable: true };
}
