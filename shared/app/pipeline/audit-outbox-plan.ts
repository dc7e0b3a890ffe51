import { randomUUID } from 'node:crypto';
import { placeAudit } from '../../store/audit-log';
import type { AuditOutbox, AuditPublisher, AuditRecord } from '../../store/audit-outbox';
import type { AuditEntry, Kind } from '../../sync/types';

/**
 * Room for the outbox in its state-row property (64 KiB, that is 32,768 UTF-16 characters), leaving some: a pull's
 * ordinary rows take a few hundred characters each; a conflict's detail can take 30,000 and goes the direct way.
 */
export const MAX_OUTBOX_CHARS = 24_000;

export interface AuditOutboxPlan {
  /** What the commit stores on the state row (undefined: nothing waits). */
  outbox: AuditOutbox | undefined;
  /** This pull's rows, when they do not fit the outbox: written to the audit table before the commit, as one batch. */
  direct: AuditRecord[];
  /** This pull's rows, however they go. */
  fresh: AuditRecord[];
}

/** One publisher entry per (pair, kind): the state row's partition. */
export const auditOwner = (pairId: string, kind: Kind): string => `${pairId}|${kind}`;

/**
 * A pull's audit rows ride its commit (docs/state.md, "pairstate"): the outbox the commit stores holds them with
 * whatever rows of the outbox it read that this process has not yet seen written, so a crash at any point loses
 * none. The commit is a write the pull makes anyway, so the rows cost no table operation of their own until the
 * publisher writes many pulls' rows in one transaction.
 */
export function planAuditOutbox(
  publisher: Pick<AuditPublisher, 'written'>,
  owner: string,
  stored: AuditOutbox | undefined,
  entries: AuditEntry[],
  newId: () => string = randomUUID,
): AuditOutboxPlan {
  const fresh = entries.map(placeAudit);
  const carried = stored && !publisher.written(owner, stored.id) ? stored.records : [];
  const kept = carried.length > 0 ? stored : undefined;
  if (fresh.length === 0) return { outbox: kept, direct: [], fresh };
  const outbox = { id: newId(), records: [...carried, ...fresh] };
  if (JSON.stringify(outbox).length > MAX_OUTBOX_CHARS) return { outbox: kept, direct: fresh, fresh };
  return { outbox, direct: [], fresh };
}
