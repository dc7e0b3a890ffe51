import type { Stores } from '../../shared/store';

/**
 * The audit outboxes of the stores a suite made: their rows are written ~5 s after a pull (store/audit-outbox.ts), so
 * a suite that ends sooner writes them here, while its Azurite tables and module registry still exist.
 */
const open = new Set<Stores['audit']['outbox']>();

export function trackAuditOutbox(stores: Pick<Stores, 'audit'>): void {
  open.add(stores.audit.outbox);
}

export async function flushAuditOutboxes(): Promise<void> {
  const outboxes = [...open];
  open.clear();
  await Promise.all(outboxes.map((outbox) => outbox.flush().catch(() => undefined)));
}
