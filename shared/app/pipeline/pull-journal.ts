import type {
  AuditEntry,
  AuditSink,
  Intent,
  IntentStore,
  Kind,
  Link,
  LinkStore,
  Side,
  UserRef,
} from '../../sync/types';
import { linkRowKey, type LinkWrite, type PairStateStore } from '../../store/pair-state-store';
import type { PairLease } from './pair-lease';
import type { RemoteWrite } from './write-guard';

const SIDES = ['dingtalk', 'outlook'] as const;
const idOf = (link: Link, side: Side) => (side === 'dingtalk' ? link.dingtalkId : link.outlookId);
const sameTarget = (a: Intent, b: Intent) => a.targetSide === b.targetSide && a.sourceId === b.sourceId;

/**
 * The engine's stores for one pull of one (pair, kind), as a unit of work: links and audit rows are kept in memory
 * and committed with the new cursor in one transaction; lookups are served from what the pull already read or
 * wrote, so the engine's per-change lookups cost nothing once a batch of them was fetched in one query.
 *
 * Intents are the exception: one must be durable before the create it announces. The first remote write (or a
 * put() of an intent not yet stored) claims the lease with every intent planned so far and the links buffered so
 * far in one write, so a pull that planned its creates up front pays one write for all of them.
 */
export class PullJournal {
  readonly links: LinkStore & {
    prefetch(user: UserRef, kind: Kind, side: Side, ids: string[]): Promise<void>;
  };
  readonly intents: IntentStore & { plan(intents: Intent[]): void };
  readonly audit: AuditSink;

  private readonly known = new Map<string, Link>();
  private readonly pending = new Map<string, LinkWrite>();
  private readonly audits: AuditEntry[] = [];
  private planned: Intent[];
  private unwritten = false;

  constructor(
    private readonly store: PairStateStore,
    private readonly lease: PairLease,
    private readonly cache: Map<string, Link | undefined>,
  ) {
    this.planned = [...lease.state.intents];
    for (const link of cache.values()) if (link) this.known.set(link.linkId, link);
    this.links = {
      findBySideId: (user, kind, side, id) => this.findBySideId(user, kind, side, id),
      prefetch: (user, kind, side, ids) => this.prefetch(user, kind, side, ids),
      listLinks: (user, kind) => this.listLinks(user, kind),
      save: async (_user, link) => this.save(link),
      // Links are never deleted, only tombstoned: a late change of either id must not resurrect the item.
      remove: async (_user, link) => void this.save({ ...link, tombstone: true }),
    };
    this.intents = {
      get: async (_user, _kind, targetSide, sourceId) =>
        this.planned.find((i) => i.targetSide === targetSide && i.sourceId === sourceId),
      list: async () => [...this.planned],
      put: async (_user, intent) => {
        const stored = this.planned.find((i) => sameTarget(i, intent));
        if (stored?.originKey !== intent.originKey) this.plan([intent]);
        if (this.unwritten) await this.flush();
      },
      remove: async (_user, intent) => {
        this.planned = this.planned.filter((i) => !sameTarget(i, intent));
      },
      plan: (intents) => this.plan(intents),
    };
    this.audit = { record: async (entry) => void this.audits.push(entry) };
  }

  /**
   * Before a remote write: every planned intent durable and, unless the service itself refuses the write once the
   * item has moved on (Graph's If-Match), the lease held. Such a write needs no lease: another worker's write in
   * between makes the service refuse it (decided again, remote-writes.ts), and this pull's commit is conditional on
   * the state row it loaded, so a pull that lost the race stores nothing and is retried. That saves the claim's
   * table operation on updates and deletes written to Outlook. A write checked by re-reading first (DingTalk, IMAP)
   * still claims: two workers could both pass the check, and the staler write land last. A create always claims:
   * its intent must be durable first (DESIGN §4.2), and only the lease stops two workers creating the same copy.
   */
  async beforeRemoteWrite(write: RemoteWrite): Promise<void> {
    const leaseFree = write.op !== 'create' && write.refusedIfMoved;
    if (this.unwritten || (!this.lease.holds && !leaseFree)) await this.flush();
  }

  /**
   * Stores the links saved so far with the intents still pending, in one write that takes or renews the lease:
   * what a long first sync does now and then, so that its progress shows and a crash loses less (worker.ts).
   */
  async checkpoint(): Promise<void> {
    await this.flush();
  }

  /** What the commit writes: the links saved since the last flush. */
  takeLinks(): LinkWrite[] {
    const out = [...this.pending.values()];
    this.pending.clear();
    return out;
  }

  get pendingLinks(): number {
    return this.pending.size;
  }

  /** The intents a failed pull leaves: creates that may have happened keep theirs for crash recovery. */
  get pendingIntents(): Intent[] {
    return [...this.planned];
  }

  takeAudit(): AuditEntry[] {
    return this.audits.splice(0);
  }

  private plan(intents: Intent[]): void {
    for (const intent of intents) {
      this.planned = this.planned.filter((i) => !sameTarget(i, intent));
      this.planned.push(intent);
    }
    if (intents.length > 0) this.unwritten = true;
  }

  private async flush(): Promise<void> {
    this.lease.setIntents(this.planned);
    await this.lease.claim(this.takeLinks());
    this.unwritten = false;
  }

  private async findBySideId(user: UserRef, kind: Kind, side: Side, id: string): Promise<Link | undefined> {
    const key = linkRowKey(side, id);
    if (!this.cache.has(key)) {
      this.remember(key, await this.store.findLink(user.pairId, kind, side, id));
    }
    return this.cache.get(key);
  }

  private async prefetch(user: UserRef, kind: Kind, side: Side, ids: string[]): Promise<void> {
    const missing = [...new Set(ids.filter((id) => !this.cache.has(linkRowKey(side, id))))];
    if (missing.length === 0) return;
    for (const [key, link] of await this.store.findLinks(user.pairId, kind, side, missing)) {
      this.remember(key, link);
    }
  }

  private async listLinks(user: UserRef, kind: Kind): Promise<Link[]> {
    const stored = await this.store.listLinks(user.pairId, kind);
    for (const link of stored) this.known.set(link.linkId, link);
    const byId = new Map(stored.map((link) => [link.linkId, link]));
    for (const { link } of this.pending.values()) byId.set(link.linkId, link);
    return [...byId.values()];
  }

  private save(link: Link): Link {
    const before = this.known.get(link.linkId);
    const staleKeys = new Set(this.pending.get(link.linkId)?.staleKeys ?? []);
    for (const side of SIDES) {
      const old = before && idOf(before, side);
      if (old && old !== idOf(link, side)) {
        staleKeys.add(linkRowKey(side, old));
        this.cache.set(linkRowKey(side, old), undefined);
      }
    }
    for (const side of SIDES) {
      const id = idOf(link, side);
      if (id) this.cache.set(linkRowKey(side, id), link);
    }
    this.known.set(link.linkId, link);
    this.pending.set(link.linkId, { link, staleKeys: [...staleKeys] });
    return link;
  }

  private remember(key: string, link: Link | undefined): void {
    this.cache.set(key, link);
    if (link) this.known.set(link.linkId, link);
  }
}
