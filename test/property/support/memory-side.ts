import type {
  ChangePage,
  Kind,
  RemoteChange,
  RemoteItem,
  Side,
  SideAdapter,
  UserRef,
} from '../../../shared/sync/types';
import {
  CursorExpiredError,
  NotFoundRemoteError,
  VersionConflictRemoteError,
} from '../../../shared/sync/types';
import { FaultPlan, LogicalClock } from './faults';

/**
 * One side's folder in memory, with the contract the engine relies on: a delta from a cursor names every id changed
 * since, with its state at listing time (deletions explicit); cursors are positions in a change log and can expire;
 * creates keep their idempotency key so findByOriginKey finds them. Creates do NOT deduplicate by key (DingTalk
 * calendar does not), so duplicates can only be avoided by the engine.
 */
export class MemorySide<P> implements SideAdapter<P> {
  private readonly items = new Map<string, RemoteItem<P>>();
  private readonly log: string[] = [];
  /** Cursors carry the epoch they were issued in; expiring cursors starts a new epoch. */
  private epoch = 1;
  private nextId = 1;
  private nextVersion = 1;
  /** Calls by method, through the adapter only (user edits are not counted). */
  readonly calls: Record<'listChanges' | 'get' | 'create' | 'findByOriginKey' | 'update' | 'delete', number> =
    {
      listChanges: 0,
      get: 0,
      create: 0,
      findByOriginKey: 0,
      update: 0,
      delete: 0,
    };

  /**
   * Runs right before an update or delete through the adapter takes effect, once per call: lets a test make a
   * person's edit land between the engine's read of the item and its write.
   */
  beforeWrite: ((method: 'update' | 'delete', id: string) => void) | undefined;

  constructor(
    readonly side: Side,
    readonly kind: Kind,
    private readonly clock: LogicalClock,
    private readonly faults: FaultPlan,
    private readonly matchKeysOf: (projection: P) => string[],
    private readonly pageSize = 3,
  ) {}

  // --- what users do, outside the engine ---

  userCreate(projection: P): RemoteItem<P> {
    return this.put(`${this.side[0]}${this.nextId++}`, projection, undefined);
  }

  userUpdate(id: string, projection: P): void {
    const item = this.items.get(id);
    if (item) this.put(id, projection, item.originKey);
  }

  /** A version bump on fields the sync does not carry (Graph moves changeKey for those). */
  userTouch(id: string): void {
    const item = this.items.get(id);
    if (item) this.put(id, item.projection, item.originKey);
  }

  userDelete(id: string): void {
    if (this.items.delete(id)) this.log.push(id);
  }

  expireCursors(): void {
    this.epoch += 1;
  }

  liveItems(): RemoteItem<P>[] {
    return [...this.items.values()].map((item) => structuredClone(item));
  }

  writeCount(): number {
    return this.calls.create + this.calls.update + this.calls.delete;
  }

  // --- the adapter ---

  async listChanges(_user: UserRef, _folder: string, cursor: string | undefined): Promise<ChangePage<P>> {
    return this.step('listChanges', () => this.page(cursor));
  }

  async get(_user: UserRef, id: string): Promise<RemoteItem<P> | undefined> {
    return this.step('get', () => this.copyOf(id));
  }

  async create(_user: UserRef, projection: P, originKey: string): Promise<RemoteItem<P>> {
    return this.step('create', () => this.put(`${this.side[0]}${this.nextId++}`, projection, originKey));
  }

  async findByOriginKey(_user: UserRef, originKey: string): Promise<RemoteItem<P> | undefined> {
    return this.step('findByOriginKey', () => {
      const item = [...this.items.values()].find((candidate) => candidate.originKey === originKey);
      return item && structuredClone(item);
    });
  }

  /** Conditional when expectedVersion is given, as both real sides are (If-Match, or a re-read and compare). */
  async update(_user: UserRef, id: string, projection: P, expectedVersion?: string): Promise<RemoteItem<P>> {
    return this.step('update', () => {
      this.beforeWrite?.('update', id);
      const item = this.items.get(id);
      if (!item) throw new NotFoundRemoteError(`${this.side} ${id}`);
      this.checkVersion(item, expectedVersion);
      return this.put(id, projection, item.originKey);
    });
  }

  async delete(_user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    return this.step('delete', () => {
      this.beforeWrite?.('delete', id);
      const item = this.items.get(id);
      if (!item) throw new NotFoundRemoteError(`${this.side} ${id}`);
      this.checkVersion(item, expectedVersion);
      this.items.delete(id);
      this.log.push(id);
    });
  }

  // --- internals ---

  private step<T>(method: keyof MemorySide<P>['calls'], effect: () => T): T {
    this.calls[method] += 1;
    return this.faults.around(`${this.side}.${method}`, effect);
  }

  private checkVersion(item: RemoteItem<P>, expectedVersion: string | undefined): void {
    if (expectedVersion && item.version !== expectedVersion) {
      throw new VersionConflictRemoteError(`${this.side} ${item.id} is at ${item.version}`, item.version);
    }
  }

  private put(id: string, projection: P, originKey: string | undefined): RemoteItem<P> {
    const item: RemoteItem<P> = {
      id,
      version: `${this.side[0]}v${this.nextVersion++}`,
      modifiedAt: this.clock.tick(),
      projection: structuredClone(projection),
      matchKeys: this.matchKeysOf(projection),
      ...(originKey === undefined ? {} : { originKey }),
    };
    this.items.set(id, item);
    this.log.push(id);
    return structuredClone(item);
  }

  private copyOf(id: string): RemoteItem<P> | undefined {
    const item = this.items.get(id);
    return item && structuredClone(item);
  }

  /**
   * Cursors are "<epoch>/<position>"; expireCursors() starts a new epoch. Positions: "full:<logEnd>:<lastId>" while
   * listing the whole folder, "delta:<from>:<to>:<offset>" inside a delta, "delta:<n>:<n>:0" at rest.
   */
  private page(cursor: string | undefined): ChangePage<P> {
    if (cursor === undefined) return this.fullPage(this.log.length, '');
    const [epoch, position = ''] = cursor.split('/');
    if (Number(epoch) !== this.epoch) throw new CursorExpiredError(`${this.side} cursor ${cursor}`);
    const [mode, a = '', b = '', c = ''] = position.split(':');
    return mode === 'full' ? this.fullPage(Number(a), b) : this.deltaPage(Number(a), Number(b), Number(c));
  }

  private fullPage(logEnd: number, afterId: string): ChangePage<P> {
    const ids = [...this.items.keys()].sort(byId).filter((id) => afterId === '' || byId(id, afterId) > 0);
    const slice = ids.slice(0, this.pageSize);
    const more = ids.length > slice.length;
    const next = more ? `full:${logEnd}:${slice[slice.length - 1]}` : `delta:${logEnd}:${logEnd}:0`;
    return {
      changes: slice.map((id) => this.copyOf(id)!),
      nextCursor: `${this.epoch}/${next}`,
      fullListing: true,
      more,
    };
  }

  private deltaPage(from: number, to: number, offset: number): ChangePage<P> {
    const end = to > from ? to : this.log.length;
    const ids = lastOccurrences(this.log.slice(from, end));
    const slice = ids.slice(offset, offset + this.pageSize);
    const more = ids.length > offset + slice.length;
    const changes: RemoteChange<P>[] = slice.map((id) => this.copyOf(id) ?? { id, deleted: true });
    const next = more ? `delta:${from}:${end}:${offset + slice.length}` : `delta:${end}:${end}:0`;
    return { changes, nextCursor: `${this.epoch}/${next}`, fullListing: false, more };
  }
}

function lastOccurrences(ids: string[]): string[] {
  const seen = new Map<string, number>();
  ids.forEach((id, index) => seen.set(id, index));
  return [...seen.entries()].sort((x, y) => x[1] - y[1]).map(([id]) => id);
}

/** "d10" after "d9": ids compare by number, then by text. */
function byId(x: string, y: string): number {
  const nx = Number(x.slice(1));
  const ny = Number(y.slice(1));
  return nx !== ny ? nx - ny : x.localeCompare(y);
}
