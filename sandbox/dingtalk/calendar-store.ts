import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/platform/clock';
import { checkTimes, type EventFields, instantOf, type ParsedWrite } from './event-input';
import { errors, FakeApiError } from './wire-errors';

/**
 * Every calendar in the fake org. An event is stored once and appears in the calendar of its organizer and of
 * each attendee. Each change gets a sequence number in every affected calendar; syncTokens and nextTokens are
 * positions in that sequence, so an incremental listing returns exactly what changed for that user, deletions
 * and removals included (as status "cancelled", when showDeleted=true).
 */

export interface StoredEvent extends EventFields {
  id: string;
  organizer: string;
  status: 'confirmed' | 'cancelled';
  seriesMasterId?: string;
  originStart?: string;
  onlineMeeting?: { type: string; conferenceId: string; url: string };
  createTime: number;
  updateTime: number;
  deleted: boolean;
}

export type ChangeType = 'created' | 'updated' | 'cancelled';

export interface CalendarChange {
  event: StoredEvent;
  changeType: ChangeType;
  unionIds: string[];
  /** Whether DingTalk would have pushed a notification/chat message to the attendees. */
  notifies: boolean;
}

export interface ListQuery {
  maxResults: number;
  showDeleted: boolean;
  syncToken?: string;
  nextToken?: string;
  timeMin?: number;
  timeMax?: number;
  seriesMasterId?: string;
}

export interface ListedEvent {
  event: StoredEvent;
  /** "cancelled" for events deleted or no longer in this user's calendar. */
  status: 'confirmed' | 'cancelled';
}

interface Position {
  user: string;
  epoch: string;
  after: number;
  upTo: number;
  showDeleted: boolean;
  timeMin?: number;
  timeMax?: number;
  seriesMasterId?: string;
}

const CLIENT_TOKEN_TTL_MS = 86_400_000;

export class CalendarStore {
  private readonly events = new Map<string, StoredEvent>();
  private readonly views = new Map<string, Map<string, number>>();
  private readonly clientTokens = new Map<string, { eventId: string; at: number }>();
  private readonly userEpochs = new Map<string, number>();
  private globalEpoch = 0;
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  /** Same organizer + same x-client-token within a day answers the first event and changes nothing. */
  create(
    organizer: string,
    write: ParsedWrite,
    clientToken?: string,
  ): { event: StoredEvent; change?: CalendarChange } {
    const now = this.clock.now();
    const tokenKey = clientToken ? `${organizer}\n${clientToken}` : undefined;
    const earlier = tokenKey ? this.clientTokens.get(tokenKey) : undefined;
    if (earlier && now - earlier.at < CLIENT_TOKEN_TTL_MS)
      return { event: this.events.get(earlier.eventId)! };

    const f = write.fields;
    const event: StoredEvent = {
      id: randomBytes(18).toString('base64url'),
      organizer,
      summary: f.summary!,
      description: f.description,
      start: f.start!,
      end: f.end!,
      isAllDay: f.isAllDay ?? Boolean(f.start?.date),
      location: f.location,
      attendees: f.attendees ?? [],
      reminders: f.reminders ?? [],
      recurrence: f.recurrence,
      richTextDescription: f.richTextDescription,
      categories: f.categories,
      freeBusyStatus: f.freeBusyStatus,
      status: 'confirmed',
      createTime: now,
      updateTime: now,
      deleted: false,
    };
    checkTimes(event);
    if (f.wantsOnlineMeeting) event.onlineMeeting = newMeeting();
    this.events.set(event.id, event);
    if (tokenKey) this.clientTokens.set(tokenKey, { eventId: event.id, at: now });
    return { event, change: this.touch(event, [], 'created', write.extra) };
  }

  /** PUT with patch semantics: only the fields sent change. The body must repeat the id; only the organizer may patch. */
  patch(
    actor: string,
    id: string,
    bodyId: unknown,
    write: ParsedWrite,
  ): { event: StoredEvent; change: CalendarChange } {
    if (bodyId !== id) throw errors.invalidParameter('id in the body must equal the eventId in the path');
    const event = this.live(actor, id);
    if (event.organizer !== actor) throw notOrganizer();
    const before = participants(event);
    const next: StoredEvent = { ...event, ...definedFields(write.fields) };
    next.isAllDay =
      write.fields.isAllDay ?? (write.fields.start ? Boolean(write.fields.start.date) : event.isAllDay);
    checkTimes(next);
    if (write.fields.wantsOnlineMeeting && !next.onlineMeeting) next.onlineMeeting = newMeeting();
    next.updateTime = this.clock.now();
    this.events.set(id, next);
    return { event: next, change: this.touch(next, before, 'updated', write.extra) };
  }

  /** The organizer deletes the event for everyone; an attendee only takes it off their own calendar. */
  delete(actor: string, id: string): CalendarChange {
    const event = this.live(actor, id);
    const before = participants(event);
    event.updateTime = this.clock.now();
    if (event.organizer === actor) {
      event.deleted = true;
      event.status = 'cancelled';
      return this.touch(event, before, 'cancelled', {});
    }
    event.attendees = event.attendees.filter((a) => a.id !== actor);
    return this.touch(event, before, 'updated', {});
  }

  /** A changed or cancelled single occurrence of a series, as the DingTalk app creates one. */
  addOccurrenceException(
    organizer: string,
    masterId: string,
    originStart: string,
    change: { cancelled: boolean; fields?: Partial<EventFields> },
  ): CalendarChange {
    const master = this.live(organizer, masterId);
    if (!master.recurrence) throw errors.invalidParameter(`${masterId} is not a recurring event`);
    const duration = instantOf(master.end) - instantOf(master.start);
    const startMs = Date.parse(originStart);
    const zone = master.start.timeZone;
    const now = this.clock.now();
    const occurrence: StoredEvent = {
      ...master,
      id: randomBytes(18).toString('base64url'),
      recurrence: undefined,
      start: master.isAllDay ? { date: originStart.slice(0, 10) } : { dateTime: originStart, timeZone: zone },
      end: master.isAllDay
        ? { date: new Date(startMs + duration).toISOString().slice(0, 10) }
        : { dateTime: new Date(startMs + duration).toISOString().replace(/\.\d{3}Z$/, 'Z'), timeZone: zone },
      ...definedFields(change.fields ?? {}),
      seriesMasterId: masterId,
      originStart,
      status: change.cancelled ? 'cancelled' : 'confirmed',
      createTime: now,
      updateTime: now,
    };
    this.events.set(occurrence.id, occurrence);
    return this.touch(occurrence, [], change.cancelled ? 'cancelled' : 'updated', {
      noPushNotification: 'true',
    });
  }

  get(actor: string, id: string): StoredEvent {
    return this.live(actor, id);
  }

  find(id: string): StoredEvent | undefined {
    return this.events.get(id);
  }

  list(user: string, q: ListQuery): { items: ListedEvent[]; nextToken?: string; syncToken?: string } {
    const from = q.nextToken
      ? this.decodePosition(user, q.nextToken, 'nextToken')
      : q.syncToken
        ? {
            ...this.decodePosition(user, q.syncToken, 'syncToken'),
            upTo: this.seq,
            showDeleted: q.showDeleted,
          }
        : {
            user,
            epoch: this.epochOf(user),
            after: 0,
            upTo: this.seq,
            showDeleted: q.showDeleted,
            ...window(q),
          };
    const matching = [...(this.views.get(user) ?? new Map<string, number>())]
      .filter(([, seq]) => seq > from.after && seq <= from.upTo)
      .sort((a, b) => a[1] - b[1])
      .map(([id, seq]) => ({ event: this.events.get(id)!, seq }))
      .map(({ event, seq }) => ({
        event,
        seq,
        status: this.visibleTo(event, user) ? event.status : ('cancelled' as const),
      }))
      .filter((x) => from.showDeleted || x.status !== 'cancelled')
      .filter((x) => !from.seriesMasterId || x.event.seriesMasterId === from.seriesMasterId)
      .filter((x) => overlaps(x.event, from.timeMin, from.timeMax));
    const page = matching.slice(0, q.maxResults);
    const items = page.map(({ event, status }) => ({ event, status }));
    if (matching.length > page.length) {
      return { items, nextToken: encodePosition({ ...from, after: page[page.length - 1]!.seq }) };
    }
    return {
      items,
      syncToken: encodePosition({
        user,
        epoch: from.epoch,
        after: from.upTo,
        upTo: from.upTo,
        showDeleted: true,
      }),
    };
  }

  /** Every syncToken and nextToken issued so far (for one user, or all) stops working. */
  invalidateTokens(user?: string): void {
    if (user) this.userEpochs.set(user, (this.userEpochs.get(user) ?? 0) + 1);
    else this.globalEpoch++;
  }

  private live(actor: string, id: string): StoredEvent {
    const event = this.events.get(id);
    if (!event || event.deleted || !participants(event).includes(actor)) throw instanceNotExist(id);
    return event;
  }

  private visibleTo(event: StoredEvent, user: string): boolean {
    return !event.deleted && participants(event).includes(user);
  }

  private touch(
    event: StoredEvent,
    before: string[],
    changeType: ChangeType,
    extra: Record<string, string>,
  ): CalendarChange {
    const seq = ++this.seq;
    const affected = [...new Set([...before, ...participants(event)])];
    for (const user of affected) {
      if (!this.views.has(user)) this.views.set(user, new Map());
      this.views.get(user)!.set(event.id, seq);
    }
    const notifies =
      event.attendees.length > 0 &&
      (extra.noPushNotification !== 'true' || extra.noChatNotification !== 'true');
    return { event, changeType, unionIds: affected, notifies };
  }

  private epochOf(user: string): string {
    return `${this.globalEpoch}.${this.userEpochs.get(user) ?? 0}`;
  }

  private decodePosition(user: string, token: string, name: 'syncToken' | 'nextToken'): Position {
    let p: Position | undefined;
    try {
      p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Position;
    } catch {
      p = undefined;
    }
    if (!p || p.user !== user || p.epoch !== this.epochOf(user) || typeof p.after !== 'number') {
      throw new FakeApiError(
        { status: 400, code: `invalidParameter.${name}` },
        { errcode: 400002 },
        `${name}无效或已过期`,
      );
    }
    return p;
  }
}

export function participants(event: StoredEvent): string[] {
  return [event.organizer, ...event.attendees.map((a) => a.id)];
}

function definedFields(fields: Partial<EventFields>): Partial<EventFields> {
  const out: Partial<EventFields> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && key !== 'wantsOnlineMeeting') (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

function window(q: ListQuery): Pick<Position, 'timeMin' | 'timeMax' | 'seriesMasterId'> {
  return { timeMin: q.timeMin, timeMax: q.timeMax, seriesMasterId: q.seriesMasterId };
}

/** Series masters count from their first start onwards; single events by their own span. */
function overlaps(event: StoredEvent, timeMin?: number, timeMax?: number): boolean {
  if (timeMax !== undefined && instantOf(event.start) >= timeMax) return false;
  if (timeMin !== undefined && !event.recurrence && instantOf(event.end) <= timeMin) return false;
  return true;
}

function encodePosition(p: Position): string {
  return Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
}

function newMeeting(): StoredEvent['onlineMeeting'] {
  const conferenceId = randomBytes(6).toString('hex');
  return {
    type: 'dingtalk',
    conferenceId,
    url: `dingtalk://dingtalkclient/page/videoConfFromCalendar?confId=${conferenceId}`,
  };
}

export function instanceNotExist(id: string): FakeApiError {
  return new FakeApiError(
    { status: 400, code: 'instanceNotExist' },
    { errcode: 400002 },
    `日程不存在: ${id}`,
  );
}

function notOrganizer(): FakeApiError {
  return new FakeApiError(
    { status: 403, code: 'forbidden.notOrganizer' },
    { errcode: 60011 },
    '只有日程组织者可以修改日程',
  );
}
