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
} from '../../../shared/sync/types';
import { ConcurrencyError } from '../../../shared/sync/types';
import { FaultPlan } from './faults';

/** Two live links naming one item would be a duplicate the engine made: fail loudly instead of re-pointing. */
export class LinkInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkInvariantError';
  }
}

const sideId = (link: Link, side: Side) => (side === 'dingtalk' ? link.dingtalkId : link.outlookId);

/** Links with ETag semantics like Table Storage: insert when etag is undefined, else replace only on a match. */
export class MemoryLinkStore implements LinkStore {
  private readonly rows = new Map<string, Link>();
  private nextEtag = 1;
  saves = 0;

  constructor(private readonly faults: FaultPlan) {}

  async findBySideId(_user: UserRef, kind: Kind, side: Side, id: string): Promise<Link | undefined> {
    return this.faults.around('links.findBySideId', () => {
      const link = [...this.rows.values()].find((row) => row.kind === kind && sideId(row, side) === id);
      return link && structuredClone(link);
    });
  }

  async listLinks(_user: UserRef, kind: Kind): Promise<Link[]> {
    return this.faults.around('links.listLinks', () =>
      [...this.rows.values()].filter((row) => row.kind === kind).map((row) => structuredClone(row)),
    );
  }

  async save(_user: UserRef, link: Link): Promise<Link> {
    return this.faults.around('links.save', () => {
      const stored = this.rows.get(link.linkId);
      if (link.etag === undefined ? stored !== undefined : stored?.etag !== link.etag) {
        throw new ConcurrencyError(`link ${link.linkId}`);
      }
      for (const side of ['dingtalk', 'outlook'] as const) {
        const id = sideId(link, side);
        const holder =
          id && [...this.rows.values()].find((row) => row.linkId !== link.linkId && sideId(row, side) === id);
        if (holder)
          throw new LinkInvariantError(`${side} ${id} is in links ${holder.linkId} and ${link.linkId}`);
      }
      const saved = { ...structuredClone(link), etag: `e${this.nextEtag++}` };
      this.rows.set(link.linkId, saved);
      this.saves += 1;
      return structuredClone(saved);
    });
  }

  async remove(_user: UserRef, link: Link): Promise<void> {
    return this.faults.around('links.remove', () => {
      this.rows.delete(link.linkId);
    });
  }

  all(): Link[] {
    return [...this.rows.values()].map((row) => structuredClone(row));
  }
}

export class MemoryIntentStore implements IntentStore {
  private readonly rows = new Map<string, Intent>();

  constructor(private readonly faults: FaultPlan) {}

  async get(_user: UserRef, kind: Kind, targetSide: Side, sourceId: string): Promise<Intent | undefined> {
    return this.faults.around('intents.get', () => {
      const intent = this.rows.get(`${kind}|${targetSide}|${sourceId}`);
      return intent && structuredClone(intent);
    });
  }

  async put(_user: UserRef, intent: Intent): Promise<void> {
    return this.faults.around('intents.put', () => {
      this.rows.set(`${intent.kind}|${intent.targetSide}|${intent.sourceId}`, structuredClone(intent));
    });
  }

  async remove(_user: UserRef, intent: Intent): Promise<void> {
    return this.faults.around('intents.remove', () => {
      this.rows.delete(`${intent.kind}|${intent.targetSide}|${intent.sourceId}`);
    });
  }

  async list(_user: UserRef, kind: Kind): Promise<Intent[]> {
    return this.faults.around('intents.list', () =>
      [...this.rows.values()]
        .filter((intent) => intent.kind === kind)
        .map((intent) => structuredClone(intent)),
    );
  }

  all(): Intent[] {
    return [...this.rows.values()].map((intent) => structuredClone(intent));
  }
}

/** The same store seen through an IntentStore that cannot list (the engine's per-create fallback). */
export function withoutList(store: MemoryIntentStore): IntentStore {
  return {
    get: (user, kind, side, id) => store.get(user, kind, side, id),
    put: (user, intent) => store.put(user, intent),
    remove: (user, intent) => store.remove(user, intent),
  };
}

export class MemoryAuditSink implements AuditSink {
  readonly rows: AuditEntry[] = [];

  constructor(private readonly faults: FaultPlan) {}

  async record(entry: AuditEntry): Promise<void> {
    return this.faults.around('audit.record', () => {
      this.rows.push(structuredClone(entry));
    });
  }
}
