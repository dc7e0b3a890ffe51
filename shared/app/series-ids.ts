import type { CalendarEvent } from '../sync/calendar-event';
import {
  isDeletion,
  otherSide,
  PermanentRemoteError,
  type ChangePage,
  type Kind,
  type LinkStore,
  type RemoteChange,
  type RemoteItem,
  type Side,
  type SideAdapter,
  type UserRef,
} from '../sync/types';

/**
 * Series ids across the two calendars. A changed or cancelled occurrence names its series master by the master's
 * id on the side it was read from (CalendarEvent.seriesMasterId). The engine copies projections across as they
 * are, so before a create or update on this side the id is translated through the master's link; an adapter then
 * only ever sees ids of its own side. An occurrence whose master has no live link (not synced yet, deleted,
 * refused, outside the window) is refused for that item alone: PermanentRemoteError, which the engine audits and
 * skips instead of failing the pull, and the occurrence is tried again when it changes again.
 *
 * So that the master of an occurrence is linked before the occurrence is copied within one pull, a listing is
 * handed to the engine as one page in which every series master and single event precedes every occurrence. The
 * engine reads all pages before it reconciles anything anyway (docs/sync-engine.md), so joining them costs no
 * memory; ordering each page alone would miss a master listed on a later page than its occurrence.
 */

export type SeriesLinks = Pick<LinkStore, 'findBySideId'>;

export function withSeriesIds(
  adapter: SideAdapter<CalendarEvent>,
  links: SeriesLinks,
): SideAdapter<CalendarEvent> {
  return new SeriesIdAdapter(adapter, links);
}

class SeriesIdAdapter implements SideAdapter<CalendarEvent> {
  readonly side: Side;
  readonly kind: Kind;
  // The writes go to the inner adapter unchanged, so whatever it declares of them holds here too.
  readonly atomicConditionalWrites?: SideAdapter<CalendarEvent>['atomicConditionalWrites'];

  constructor(
    private readonly inner: SideAdapter<CalendarEvent>,
    private readonly links: SeriesLinks,
  ) {
    this.side = inner.side;
    this.kind = inner.kind;
    this.atomicConditionalWrites = inner.atomicConditionalWrites;
  }

  async listChanges(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<CalendarEvent>> {
    const changes: RemoteChange<CalendarEvent>[] = [];
    let fullListing = false;
    let next = cursor;
    for (;;) {
      const page = await this.inner.listChanges(user, folder, next);
      changes.push(...page.changes);
      fullListing ||= page.fullListing;
      next = page.nextCursor;
      if (!page.more) break;
    }
    return { changes: mastersFirst(changes), nextCursor: next, fullListing, more: false };
  }

  get(user: UserRef, id: string): Promise<RemoteItem<CalendarEvent> | undefined> {
    return this.inner.get(user, id);
  }

  async create(
    user: UserRef,
    projection: CalendarEvent,
    originKey: string,
  ): Promise<RemoteItem<CalendarEvent>> {
    return this.inner.create(user, await this.ownSeriesIds(user, projection), originKey);
  }

  findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<CalendarEvent> | undefined> {
    return this.inner.findByOriginKey(user, originKey);
  }

  async update(
    user: UserRef,
    id: string,
    projection: CalendarEvent,
    expectedVersion?: string,
  ): Promise<RemoteItem<CalendarEvent>> {
    return this.inner.update(user, id, await this.ownSeriesIds(user, projection), expectedVersion);
  }

  delete(user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    return this.inner.delete(user, id, expectedVersion);
  }

  /** The projection to write on this side comes from the other side: its series master id is translated. */
  private async ownSeriesIds(user: UserRef, projection: CalendarEvent): Promise<CalendarEvent> {
    const masterId = projection.seriesMasterId;
    if (masterId === undefined) return projection;
    const source = otherSide(this.side);
    const link = await this.links.findBySideId(user, this.kind, source, masterId);
    if (link?.tombstone) {
      throw new PermanentRemoteError(
        `series master deleted: the ${source} series ${masterId} of this occurrence no longer exists on ${this.side}`,
        'SeriesMasterDeleted',
      );
    }
    const ownId = this.side === 'dingtalk' ? link?.dingtalkId : link?.outlookId;
    if (!ownId) {
      throw new PermanentRemoteError(
        `series master not synced yet: the ${source} series ${masterId} of this occurrence has no copy on ${this.side}`,
        'SeriesMasterNotSynced',
      );
    }
    return { ...projection, seriesMasterId: ownId };
  }
}

/**
 * The latest state of each id (a listing may name an id twice; only its last state counts, as in the engine),
 * with single events, series masters and deletions before occurrences, each group in listing order.
 */
export function mastersFirst<C extends RemoteChange<CalendarEvent>>(changes: C[]): C[] {
  const latest = new Map<string, C>();
  for (const change of changes) {
    latest.delete(change.id);
    latest.set(change.id, change);
  }
  const isOccurrence = (c: C) => !isDeletion(c) && c.projection.seriesMasterId !== undefined;
  const all = [...latest.values()];
  return [...all.filter((c) => !isOccurrence(c)), ...all.filter(isOccurrence)];
}
