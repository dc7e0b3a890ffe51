import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../../platform/clock';
import type { CalendarEvent } from '../../sync/calendar-event';
import { calendarMatchKeys } from '../../sync/calendar-match';
import {
  type ChangePage,
  CursorExpiredError,
  NotFoundRemoteError,
  PermanentRemoteError,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  type UserRef,
  VersionConflictRemoteError,
} from '../../sync/types';
import type { AttendeeResolver } from './attendee-resolver';
import { type CalendarCursor, decodeCursor, encodeCursor } from './calendar-cursor';
import { eventFromWire, eventToWire, isDeletedEvent, type ReadContext } from './calendar-mapper';
import type { WireEvent, WireEventList } from './calendar-wire';
import { decodeDescription } from './description-codec';
import type { DingTalkHttpClient } from './http-client';
import { RecentReads } from './recent-reads';

/**
 * The DingTalk side of calendar sync: the user's primary calendar through calendar v1.0 (the path takes the
 * unionId). Listing uses ListEvents with showDeleted and syncToken; deleted events become RemoteDeletions, while a
 * cancelled occurrence of a live series stays an item with isCancelled (it changes the series, it is not gone).
 * How our creates stay findable without a property bag: see findByOriginKey and docs/dingtalk.md.
 */

const EVENTS = '/v1.0/calendar/users/{userId}/calendars/{calendarId}/events';
const EVENT = `${EVENTS}/{eventId}`;
const DAY_MS = 86_400_000;

export interface DingTalkCalendarAdapterOptions {
  client: DingTalkHttpClient;
  resolver: AttendeeResolver;
  /** Zone of all-day events and of events whose zone DingTalk leaves out (default Asia/Shanghai). */
  ownerTimeZone?: string;
  /** ListEvents page size; DingTalk's maximum is 100. */
  pageSize?: number;
  /**
   * The sync window (default 30 days back, 365 ahead, as the config defaults): a full listing and the
   * findByOriginKey scan cover it. Incremental listings return every change, whatever its date.
   */
  window?: { pastDays: number; futureDays: number };
  clock?: Clock;
  /**
   * A conditional write trusts a get() of the same event at most this old instead of reading it again (default
   * 1000 ms; 0 always reads again). docs/dingtalk.md, "Conditional writes".
   */
  recentReadMs?: number;
}

export class DingTalkCalendarAdapter implements SideAdapter<CalendarEvent> {
  readonly side = 'dingtalk' as const;
  readonly kind = 'calendar' as const;
  private readonly client: DingTalkHttpClient;
  private readonly resolver: AttendeeResolver;
  private readonly ownerTimeZone: string;
  private readonly pageSize: number;
  private readonly window: { pastDays: number; futureDays: number };
  private readonly clock: Clock;
  /** originKey → event id for creates made by this process: a cheap first answer for findByOriginKey. */
  private readonly createdHere = new Map<string, string>();
  /** What get() just read: the re-read a conditional write needs, when it is that fresh. */
  private readonly recentReads: RecentReads;

  constructor(options: DingTalkCalendarAdapterOptions) {
    this.client = options.client;
    this.resolver = options.resolver;
    this.ownerTimeZone = options.ownerTimeZone ?? 'Asia/Shanghai';
    this.pageSize = options.pageSize ?? 100;
    this.window = options.window ?? { pastDays: 30, futureDays: 365 };
    this.clock = options.clock ?? systemClock;
    this.recentReads = new RecentReads(this.clock, options.recentReadMs ?? 1000);
  }

  async listChanges(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<CalendarEvent>> {
    const from: CalendarCursor = cursor === undefined ? { kind: 'relist' } : decodeCursor(cursor);
    const listing =
      from.kind === 'sync' || (from.kind === 'page' && from.listing === 'delta') ? 'delta' : 'full';
    let page: WireEventList;
    try {
      page =
        (await this.client.v1<WireEventList>({
          method: 'GET',
          path: EVENTS,
          params: { userId: user.dingtalkUnionId, calendarId: folder },
          priority: user.priority,
          query: {
            maxResults: this.pageSize,
            showDeleted: true,
            syncToken: from.kind === 'sync' ? from.syncToken : undefined,
            // A nextToken carries the rest of its listing's query; the window is given only on a listing's first page.
            nextToken: from.kind === 'page' ? from.nextToken : undefined,
            ...(from.kind === 'relist' ? this.windowQuery() : {}),
          },
        })) ?? {};
    } catch (err) {
      if (from.kind !== 'relist' && isTokenRejection(err)) {
        throw new CursorExpiredError(`DingTalk rejected the calendar cursor: ${(err as Error).message}`);
      }
      throw err;
    }
    const changes = await this.toChanges(page.events ?? []);
    const next: CalendarCursor = page.nextToken
      ? { kind: 'page', listing, nextToken: page.nextToken }
      : page.syncToken
        ? { kind: 'sync', syncToken: page.syncToken }
        : { kind: 'relist' };
    return {
      changes,
      nextCursor: encodeCursor(next),
      fullListing: listing === 'full',
      more: Boolean(page.nextToken),
    };
  }

  /**
   * A cancelled occurrence reads as gone, like a deleted event. It is listed as an item (its cancellation must reach
   * the other side), but once there the cancellation removes the other side's occurrence; when that removal comes
   * back as a deletion, the engine must see both sides gone (L9), not delete this cancelled occurrence in turn.
   */
  async get(user: UserRef, id: string): Promise<RemoteItem<CalendarEvent> | undefined> {
    const event = await this.fetchEvent(user, id);
    this.recentReads.remember(
      user.dingtalkUnionId,
      id,
      event && !isDeletedEvent(event) ? versionOf(event) : undefined,
    );
    if (!event || isDeletedEvent(event) || event.status === 'cancelled') return undefined;
    return this.toItem(event, await this.readContext([event]));
  }

  /**
   * x-client-token = originKey makes a retried create return the first one's event for a day (DingTalk's window).
   * The key is also stamped invisibly into the description, for findByOriginKey after that day.
   */
  async create(
    user: UserRef,
    projection: CalendarEvent,
    originKey: string,
  ): Promise<RemoteItem<CalendarEvent>> {
    if (projection.seriesMasterId) {
      throw new PermanentRemoteError(
        'DingTalk cannot create a single occurrence of a series through the API',
      );
    }
    const created = await this.client.v1<WireEvent>({
      method: 'POST',
      path: EVENTS,
      params: { userId: user.dingtalkUnionId, calendarId: 'primary' },
      priority: user.priority,
      headers: { 'x-client-token': clientTokenOf(originKey) },
      body: eventToWire(projection, { originKey }),
    });
    if (!created?.id) throw new PermanentRemoteError('DingTalk CreateEvent answered without an event id');
    this.createdHere.set(originKey, created.id);
    const item = this.toItem(created, await this.readContext([created]));
    return { ...item, originKey };
  }

  /**
   * First the in-process memo (one GetEvent). Otherwise a scan of the sync window for our stamp: it costs one
   * metered call per 100 events, and the engine only asks while replaying an interrupted create, so it is rare.
   */
  async findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<CalendarEvent> | undefined> {
    const known = this.createdHere.get(originKey);
    if (known) {
      const item = await this.get(user, known);
      if (item) return { ...item, originKey };
    }
    let nextToken: string | undefined;
    const window = this.windowQuery();
    do {
      const page =
        (await this.client.v1<WireEventList>({
          method: 'GET',
          path: EVENTS,
          params: { userId: user.dingtalkUnionId, calendarId: 'primary' },
          priority: user.priority,
          query: {
            maxResults: this.pageSize,
            ...(nextToken ? { nextToken } : window),
          },
        })) ?? {};
      const match = (page.events ?? []).find(
        (e) => !isDeletedEvent(e) && decodeDescription(e.description ?? '').originKey === originKey,
      );
      if (match) return { ...this.toItem(match, await this.readContext([match])), originKey };
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return undefined;
  }

  /**
   * PatchEvent is a PUT with patch semantics that must repeat the id; only the organizer may do it (403 otherwise).
   * DingTalk has no conditional write, so an expectedVersion costs one GetEvent right before the PUT, unless get()
   * read the event a moment ago (RecentReads).
   */
  async update(
    user: UserRef,
    id: string,
    projection: CalendarEvent,
    expectedVersion?: string,
  ): Promise<RemoteItem<CalendarEvent>> {
    if (expectedVersion) {
      const current = await this.currentVersion(user, id);
      if (current === undefined) throw new NotFoundRemoteError(`DingTalk event ${id} is gone`);
      assertVersion(id, current, expectedVersion);
    }
    this.recentReads.forget(user.dingtalkUnionId, id);
    const updated = await this.client.v1<WireEvent>({
      method: 'PUT',
      path: EVENT,
      params: { userId: user.dingtalkUnionId, calendarId: 'primary', eventId: id },
      priority: user.priority,
      body: { id, ...eventToWire(projection) },
    });
    if (!updated?.id) throw new PermanentRemoteError(`DingTalk PatchEvent ${id} answered without an event`);
    const item = this.toItem(updated, await this.readContext([updated]));
    // The Patch response has no seriesMasterId/originStart; an occurrence stays an occurrence.
    if (projection.seriesMasterId && !item.projection.seriesMasterId) {
      item.projection.seriesMasterId = projection.seriesMasterId;
      if (projection.originalStart) item.projection.originalStart = projection.originalStart;
    }
    return item;
  }

  /** Like update, an expectedVersion costs one GetEvent first; an event already gone counts as deleted. */
  async delete(user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    if (expectedVersion) {
      const current = await this.currentVersion(user, id);
      if (current === undefined) return;
      assertVersion(id, current, expectedVersion);
    }
    this.recentReads.forget(user.dingtalkUnionId, id);
    try {
      await this.client.v1({
        method: 'DELETE',
        path: EVENT,
        params: { userId: user.dingtalkUnionId, calendarId: 'primary', eventId: id },
        priority: user.priority,
        query: { pushNotification: false },
      });
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
    }
  }

  private windowQuery(): { timeMin: string; timeMax: string } {
    const now = this.clock.now();
    return {
      timeMin: utcMinute(now - this.window.pastDays * DAY_MS),
      timeMax: utcMinute(now + this.window.futureDays * DAY_MS),
    };
  }

  /** The event's version now (undefined when gone): what get() read a moment ago, else one GetEvent. */
  private async currentVersion(user: UserRef, id: string): Promise<string | undefined> {
    const recent = this.recentReads.fresh(user.dingtalkUnionId, id);
    if (recent) return recent.version;
    const current = await this.fetchEvent(user, id);
    return current && !isDeletedEvent(current) ? versionOf(current) : undefined;
  }

  private async fetchEvent(user: UserRef, id: string): Promise<WireEvent | undefined> {
    try {
      return await this.client.v1<WireEvent>({
        method: 'GET',
        path: EVENT,
        params: { userId: user.dingtalkUnionId, calendarId: 'primary', eventId: id },
        priority: user.priority,
      });
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  private async toChanges(events: WireEvent[]): Promise<RemoteChange<CalendarEvent>[]> {
    const ctx = await this.readContext(events);
    return events.map((e) =>
      isDeletedEvent(e) ? { id: e.id, deleted: true as const } : this.toItem(e, ctx),
    );
  }

  private toItem(w: WireEvent, ctx: ReadContext): RemoteItem<CalendarEvent> {
    const { projection, originKey } = eventFromWire(w, ctx);
    const item: RemoteItem<CalendarEvent> = {
      id: w.id,
      version: versionOf(w),
      modifiedAt: modifiedAtOf(w, this.clock),
      projection,
      matchKeys: calendarMatchKeys(projection),
    };
    if (originKey) item.originKey = originKey;
    return item;
  }

  /** Resolves every unionId the events mention up front, so the mapper itself stays synchronous and pure. */
  private async readContext(events: WireEvent[]): Promise<ReadContext> {
    const ids = new Set<string>();
    for (const e of events) {
      if (e.organizer?.id) ids.add(e.organizer.id);
      for (const a of e.attendees ?? []) if (a.id) ids.add(a.id);
    }
    const emails = new Map<string, string>();
    await Promise.all(
      [...ids].map(async (id) => {
        const email = await this.resolver.resolveEmail(id);
        if (email) emails.set(id, email);
      }),
    );
    return { emailOf: (id) => emails.get(id), ownerTimeZone: this.ownerTimeZone };
  }
}

/**
 * updateTime alone may have one-second resolution, and a user edit in the same second as our write must still
 * count as a change; so the version also hashes the content fields every operation's response carries.
 */
export function versionOf(w: WireEvent): string {
  const content = JSON.stringify([
    w.summary ?? '',
    w.description ?? '',
    w.start ?? null,
    w.end ?? null,
    w.isAllDay ?? null,
    w.location?.displayName ?? '',
    w.recurrence ?? null,
    (w.reminders ?? []).map((r) => Number(r.minutes)),
    w.status ?? 'confirmed',
  ]);
  const hash = createHash('sha256').update(content).digest('base64url').slice(0, 12);
  return `${w.updateTime ?? ''}#${hash}`;
}

/** The re-read before a write found another version: someone edited the event since the engine read it. */
function assertVersion(id: string, version: string, expectedVersion: string): void {
  if (version !== expectedVersion) {
    throw new VersionConflictRemoteError(`DingTalk event ${id} changed since it was read`, version);
  }
}

function modifiedAtOf(w: WireEvent, clock: Clock): string {
  for (const stamp of [w.updateTime, w.createTime]) {
    if (!stamp) continue;
    const ms = /^\d+$/.test(stamp) ? Number(stamp) : Date.parse(stamp);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return new Date(clock.now()).toISOString();
}

/** A syncToken/nextToken DingTalk no longer accepts comes back as a 4xx that is not about auth, quota or QPS. */
function isTokenRejection(err: unknown): boolean {
  if (err instanceof NotFoundRemoteError) return true;
  return (
    err instanceof PermanentRemoteError &&
    (err.status === 400 || err.status === 410) &&
    err.remoteCode !== 'InvalidAuthentication'
  );
}

/** Header-safe idempotency token: the key itself when it is short printable ASCII, else its SHA-256. */
function clientTokenOf(originKey: string): string {
  return /^[\x21-\x7e]{1,64}$/.test(originKey)
    ? originKey
    : createHash('sha256').update(originKey).digest('hex');
}

function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}
