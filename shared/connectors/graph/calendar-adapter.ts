import { systemClock, type Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { CalendarEvent, EventTime } from '../../sync/calendar-event';
import { canonicalJson } from '../../sync/stable-hash';
import { localToInstant, normalizeLocal } from '../../sync/zoned-time';
import {
  CursorExpiredError,
  NotFoundRemoteError,
  PermanentRemoteError,
  TransientRemoteError,
  VersionConflictRemoteError,
  type ChangePage,
  type RemoteItem,
  type SideAdapter,
  type UserRef,
} from '../../sync/types';
import {
  decodeCursor,
  encodeCursor,
  freshState,
  windowAt,
  type CalendarCursorState,
  type CalendarWindow,
} from './calendar-cursor';
import {
  fromGraphEvent,
  toGraphEventWrite,
  toRemoteItem,
  type CalendarMapperOptions,
} from './calendar-mapper';
import { resolveDeltaRows, type KnownItem } from './calendar-page-resolver';
import { changeKeyOfEtag, ifMatchFor } from './event-etag';
import type { GraphApi } from './http-client';
import type { GraphCollection, GraphEvent, GraphEventWrite } from './wire-types';
import { originKeyFilter, STAMPS_EXPAND } from './outlook-event-stamps';

/**
 * The user's primary Outlook calendar as a SideAdapter (side "outlook", kind "calendar", folder "calendar").
 *
 * Changes come from calendarView/delta over a window [today - pastDays, today + futureDays]. A delta round keeps
 * the window it started with, so time passing never makes events "leave" it. Once a day the window moves: the
 * next call starts a new initial round over the new window (a full listing: the engine matches, never deletes)
 * and then drains the previous window's deltaLink once, so deletions made around the switch are still seen.
 * Events that enter the new window show up in its full listing; events edited into the window from outside
 * show up as ordinary delta changes.
 */

export interface OutlookCalendarAdapterOptions {
  api: GraphApi;
  pastDays: number;
  futureDays: number;
  clock?: Clock;
  /** Rows per delta page (Prefer: odata.maxpagesize). */
  pageSize?: number;
  /** Zone for all-day events whose original zone Graph does not tell. */
  defaultTimeZone?: string;
  /** Series masters remembered in the cursor for series-deletion detection. */
  maxTrackedSeries?: number;
  logger?: Logger;
  /**
   * What the links of the pull know of listed ids (calendar-page-resolver.ts): rows they already hold are not read
   * again. Without it every changed row is read.
   */
  known?: (user: UserRef, ids: string[]) => Promise<Map<string, KnownItem>>;
}

export const OUTLOOK_CALENDAR_FOLDER = 'calendar';

const READ_PREFERENCES = ['outlook.timezone="UTC"', 'outlook.body-content-type="text"'];

export class OutlookCalendarAdapter implements SideAdapter<CalendarEvent> {
  readonly side = 'outlook' as const;
  readonly kind = 'calendar' as const;
  /** PATCH and DELETE send If-Match, which Graph itself refuses with 412 once the event moved on. */
  readonly atomicConditionalWrites = ['update', 'delete'] as const;
  private readonly api: GraphApi;
  private readonly clock: Clock;
  private readonly pageSize: number;
  private readonly mapper: CalendarMapperOptions;
  private readonly maxTrackedSeries: number;

  constructor(private readonly options: OutlookCalendarAdapterOptions) {
    this.api = options.api;
    this.clock = options.clock ?? systemClock;
    this.pageSize = options.pageSize ?? 50;
    this.mapper = { defaultTimeZone: options.defaultTimeZone ?? 'UTC' };
    this.maxTrackedSeries = options.maxTrackedSeries ?? 50;
  }

  /** The same calendar for one pull, whose links tell which listed rows need no read (see `known`). */
  withKnownItems(known: OutlookCalendarAdapterOptions['known']): OutlookCalendarAdapter {
    return new OutlookCalendarAdapter({ ...this.options, known });
  }

  currentWindow(): CalendarWindow {
    return windowAt(this.clock.now(), this.options.pastDays, this.options.futureDays);
  }

  async listChanges(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<CalendarEvent>> {
    if (folder !== OUTLOOK_CALENDAR_FOLDER) {
      throw new PermanentRemoteError(
        `Outlook calendar sync covers the primary calendar only, not "${folder}"`,
      );
    }
    let state = cursor ? decodeCursor(cursor) : freshState(this.currentWindow());
    const window = this.currentWindow();
    if (state.linkKind === 'delta' && !state.previous && state.window.start !== window.start) {
      state = { ...freshState(window, state.masters), previous: { link: state.link!, linkKind: 'delta' } };
    }
    const draining = state.linkKind === 'delta' && state.previous !== undefined;
    const url = draining ? state.previous!.link : (state.link ?? this.initialDeltaPath(user, state.window));

    let page: GraphCollection<GraphEvent>;
    try {
      page = await this.api.get<GraphCollection<GraphEvent>>(url, {
        mailbox: user.entraId,
        prefer: [`odata.maxpagesize=${this.pageSize}`, ...READ_PREFERENCES],
        what: 'calendar delta',
      });
    } catch (err) {
      if (draining && err instanceof CursorExpiredError) {
        // The old window's changes are gone from Graph; the new round already listed everything current.
        this.options.logger?.warn('previous calendar window could not be drained', { pairId: user.pairId });
        return {
          changes: [],
          nextCursor: encodeCursor({ ...state, previous: undefined }),
          fullListing: false,
          more: false,
        };
      }
      throw err;
    }
    const nextLink = page['@odata.nextLink'];
    const deltaLink = page['@odata.deltaLink'];
    if (!nextLink && !deltaLink)
      throw new TransientRemoteError('calendar delta page without nextLink or deltaLink');

    const resolved = await resolveDeltaRows(
      page.value,
      state.masters,
      { read: (id) => this.readEvent(user, id) },
      this.mapper,
      this.maxTrackedSeries,
      this.options.known && ((ids) => this.options.known!(user, ids)),
    );
    const next: CalendarCursorState = { ...state, masters: resolved.masters };
    let fullListing = false;
    let more: boolean;
    if (draining) {
      next.previous = nextLink ? { link: nextLink, linkKind: 'next' } : undefined;
      more = nextLink !== undefined;
    } else {
      fullListing = state.full;
      next.link = nextLink ?? deltaLink;
      next.linkKind = nextLink ? 'next' : 'delta';
      if (!nextLink) next.full = false;
      more = nextLink !== undefined || next.previous !== undefined;
    }
    return { changes: resolved.changes, nextCursor: encodeCursor(next), fullListing, more };
  }

  async get(user: UserRef, id: string): Promise<RemoteItem<CalendarEvent> | undefined> {
    const ev = await this.readEvent(user, id);
    return ev ? toRemoteItem(ev, this.mapper) : undefined;
  }

  async create(
    user: UserRef,
    projection: CalendarEvent,
    originKey: string,
  ): Promise<RemoteItem<CalendarEvent>> {
    if (projection.seriesMasterId) return this.createException(user, projection, originKey);
    const body = toGraphEventWrite(projection, { originKey });
    try {
      const created = await this.api.post<GraphEvent>(`${this.eventsPath(user)}`, body, {
        mailbox: user.entraId,
        prefer: READ_PREFERENCES,
        what: 'create event',
      });
      return this.itemFromWrite(created, body);
    } catch (err) {
      // The create may have happened without us hearing the answer; transactionId makes a retry safe, but if it
      // is already there we can finish now.
      if (err instanceof TransientRemoteError && err.status !== 429) {
        const existing = await this.findByOriginKey(user, originKey).catch(() => undefined);
        if (existing) return existing;
      }
      throw err;
    }
  }

  async findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<CalendarEvent> | undefined> {
    const query = `$filter=${encodeURIComponent(originKeyFilter(originKey))}&$expand=${encodeURIComponent(STAMPS_EXPAND)}&$top=2`;
    const page = await this.api.get<GraphCollection<GraphEvent>>(`${this.eventsPath(user)}?${query}`, {
      mailbox: user.entraId,
      prefer: READ_PREFERENCES,
      what: 'find event by origin key',
    });
    const found = page.value[0];
    return found ? toRemoteItem(found, this.mapper) : undefined;
  }

  /** With expectedVersion, PATCH sends If-Match: Graph answers 412 if the event moved on (VersionConflictRemoteError). */
  async update(
    user: UserRef,
    id: string,
    projection: CalendarEvent,
    expectedVersion?: string,
  ): Promise<RemoteItem<CalendarEvent>> {
    const body = toGraphEventWrite(projection, { isSeriesInstance: projection.seriesMasterId !== undefined });
    if (projection.recurrence) await this.keepSeriesShape(user, id, projection, body, expectedVersion);
    const updated = await this.api.patch<GraphEvent>(
      `${this.eventsPath(user)}/${encodeURIComponent(id)}`,
      body,
      {
        mailbox: user.entraId,
        prefer: READ_PREFERENCES,
        what: 'update event',
        ifMatch: ifMatchFor(expectedVersion),
      },
    );
    return this.itemFromWrite(updated, body);
  }

  /** With expectedVersion, DELETE sends If-Match; an event already gone counts as deleted. */
  async delete(user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    try {
      await this.api.delete(`${this.eventsPath(user)}/${encodeURIComponent(id)}`, {
        mailbox: user.entraId,
        what: 'delete event',
        ifMatch: ifMatchFor(expectedVersion),
      });
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
    }
  }

  /**
   * Outlook drops every exception of a series whose times or pattern a PATCH sets, so an edit of a series (its
   * title, say) sends them only when they differ from what Outlook holds; otherwise the synced changed occurrences
   * would vanish from Outlook, and their removal would travel back to the other side as deletions. One GET, which
   * also answers a stale expectedVersion or a gone event before the PATCH is sent.
   */
  private async keepSeriesShape(
    user: UserRef,
    id: string,
    projection: CalendarEvent,
    body: GraphEventWrite,
    expectedVersion: string | undefined,
  ): Promise<void> {
    const current = await this.readEvent(user, id);
    if (!current) throw new NotFoundRemoteError(`update event: ${id} is gone`);
    const currentVersion = current.changeKey ?? changeKeyOfEtag(current['@odata.etag']);
    if (expectedVersion && currentVersion !== expectedVersion) {
      throw new VersionConflictRemoteError(`update event: ${id} changed since it was read`, currentVersion);
    }
    if (current.type !== 'seriesMaster') return;
    if (!sameSeriesShape(fromGraphEvent(current, this.mapper), projection)) return;
    delete body.start;
    delete body.end;
    delete body.isAllDay;
    delete body.recurrence;
  }

  private async readEvent(user: UserRef, id: string): Promise<GraphEvent | undefined> {
    try {
      return await this.api.get<GraphEvent>(
        `${this.eventsPath(user)}/${encodeURIComponent(id)}?$expand=${encodeURIComponent(STAMPS_EXPAND)}`,
        { mailbox: user.entraId, prefer: READ_PREFERENCES, what: 'get event' },
      );
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  /**
   * A changed or cancelled instance of a series that lives in Outlook: Graph has no create for it; the
   * occurrence is found among the master's instances and patched (or deleted, for a cancellation).
   * `projection.seriesMasterId` must be the Outlook id of the master (the app layer translates it: series-ids.ts).
   * A master or occurrence that is not there is refused for this item (PermanentRemoteError): a create has no
   * "gone during the write" to fall back on, and retrying the pull would not make it appear.
   */
  private async createException(
    user: UserRef,
    projection: CalendarEvent,
    originKey: string,
  ): Promise<RemoteItem<CalendarEvent>> {
    const masterId = projection.seriesMasterId!;
    const originalStart = Date.parse(projection.originalStart ?? '');
    if (!Number.isFinite(originalStart)) {
      throw new PermanentRemoteError('a series instance needs originalStart', 'MissingOriginalStart');
    }
    const from = new Date(originalStart - 86_400_000).toISOString();
    const to = new Date(originalStart + 86_400_000).toISOString();
    let instances: GraphCollection<GraphEvent>;
    try {
      instances = await this.api.get<GraphCollection<GraphEvent>>(
        `${this.eventsPath(user)}/${encodeURIComponent(masterId)}/instances?startDateTime=${encodeURIComponent(from)}&endDateTime=${encodeURIComponent(to)}`,
        { mailbox: user.entraId, prefer: READ_PREFERENCES, what: 'list series instances' },
      );
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
      throw new PermanentRemoteError(
        `the Outlook series ${masterId} of this occurrence is gone`,
        'SeriesMasterNotFound',
        404,
      );
    }
    const occurrence = instances.value.find(
      (i) => i.originalStart && Date.parse(i.originalStart) === originalStart,
    );
    if (!occurrence) {
      throw new PermanentRemoteError(
        `the Outlook series has no occurrence at ${projection.originalStart} (already cancelled there, or the ` +
          `series pattern differs)`,
        'OccurrenceNotFound',
        404,
      );
    }
    if (projection.isCancelled) {
      await this.delete(user, occurrence.id);
      return {
        id: occurrence.id,
        version: '',
        modifiedAt: new Date(this.clock.now()).toISOString(),
        projection,
        matchKeys: [],
        originKey,
      };
    }
    const body = toGraphEventWrite(projection, { isSeriesInstance: true });
    body.singleValueExtendedProperties = toGraphEventWrite(projection, {
      originKey,
    }).singleValueExtendedProperties;
    const updated = await this.api.patch<GraphEvent>(
      `${this.eventsPath(user)}/${encodeURIComponent(occurrence.id)}`,
      body,
      { mailbox: user.entraId, prefer: READ_PREFERENCES, what: 'update series instance' },
    );
    return this.itemFromWrite(updated, body);
  }

  /** Graph's write answers leave out extended properties; the ones we just wrote are what the event holds. */
  private itemFromWrite(ev: GraphEvent, body: GraphEventWrite): RemoteItem<CalendarEvent> {
    return toRemoteItem(
      { ...ev, singleValueExtendedProperties: body.singleValueExtendedProperties },
      this.mapper,
    );
  }

  private eventsPath(user: UserRef): string {
    return `/users/${encodeURIComponent(user.entraId)}/events`;
  }

  private initialDeltaPath(user: UserRef, window: CalendarWindow): string {
    return (
      `/users/${encodeURIComponent(user.entraId)}/calendarView/delta` +
      `?startDateTime=${encodeURIComponent(window.start)}&endDateTime=${encodeURIComponent(window.end)}`
    );
  }
}

/** Same all-day flag, same start and end (wall time and instant), same recurrence: a PATCH need not send them. */
function sameSeriesShape(held: CalendarEvent, wanted: CalendarEvent): boolean {
  return (
    held.isAllDay === wanted.isAllDay &&
    sameTime(held.start, wanted.start, wanted.isAllDay) &&
    sameTime(held.end, wanted.end, wanted.isAllDay) &&
    canonicalJson(held.recurrence) === canonicalJson(wanted.recurrence)
  );
}

/** Zone names may differ (Outlook can store another name for the same zone); wall time and instant may not. */
function sameTime(a: EventTime, b: EventTime, allDay: boolean): boolean {
  if (allDay) return a.local.slice(0, 10) === b.local.slice(0, 10);
  const [la, lb] = [normalizeLocal(a.local), normalizeLocal(b.local)];
  try {
    return la === lb && localToInstant(la, a.timeZone) === localToInstant(lb, b.timeZone);
  } catch {
    return false;
  }
}
