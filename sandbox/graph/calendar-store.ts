import type { Clock } from '../../shared/platform/clock';
import type { GraphAttendee, GraphPatternedRecurrence } from '../../shared/connectors/graph/wire-types';
import { graphZoneToIana } from '../time/windows-zones';
import { addDays, instantToLocal, localToInstant } from '../time/zoned';
import type { FakeUser } from './directory';
import type { EventWrite, StoredTime } from './event-validation';
import { iCalUidFor, newChangeKey, newItemId, occurrenceItemId, toImmutableId } from './ids';
import { occurrenceDates } from './recurrence';

/**
 * One primary calendar per mailbox, with Outlook's rules: versions (changeKey) change on every write,
 * transactionId makes a repeated create return the existing event, series expand into occurrences, a changed
 * occurrence becomes an exception, a deleted one is cancelled on its master. Every change gets a sequence
 * number per mailbox, which is what delta tokens remember.
 */

export type StoredType = 'singleInstance' | 'seriesMaster' | 'exception';

export interface StoredEvent {
  id: string;
  mailbox: string;
  type: StoredType;
  subject: string;
  body: { contentType: 'text' | 'html'; content: string };
  start: StoredTime;
  end: StoredTime;
  isAllDay: boolean;
  location: Record<string, unknown>;
  attendees: GraphAttendee[];
  recurrence: GraphPatternedRecurrence | null;
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  showAs: string;
  sensitivity: string;
  importance: string;
  categories: string[];
  isOnlineMeeting: boolean;
  onlineMeetingProvider: string;
  joinUrl: string | null;
  isCancelled: boolean;
  responseRequested: boolean;
  allowNewTimeProposals: boolean;
  hideAttendees: boolean;
  transactionId: string | null;
  organizer: { name: string; address: string };
  isOrganizer: boolean;
  extended: Map<string, { id: string; value: string }>;
  changeKey: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  iCalUId: string;
  seq: number;
  seriesMasterId?: string;
  originalStart?: number;
  /** Masters: original starts of cancelled occurrences, exception ids by original start, every instance id ever shown. */
  cancelled: Set<number>;
  exceptions: Map<number, string>;
  knownInstanceIds: Set<string>;
}

/** What a calendar view shows: a single event, an occurrence computed from a master, or an exception. */
export interface Instance {
  id: string;
  kind: 'singleInstance' | 'occurrence' | 'exception';
  event: StoredEvent;
  start: number;
  end: number;
  /** Occurrences only: their own start/end in the master's zone. */
  startLocal?: string;
  endLocal?: string;
  originalStart?: number;
}

export interface Tombstone {
  id: string;
  seq: number;
  instanceIds: string[];
}

export interface Mailbox {
  userId: string;
  events: Map<string, StoredEvent>;
  tombstones: Tombstone[];
  seq: number;
  /** Bumped to expire every delta token of this mailbox. */
  generation: number;
}

export type ChangeType = 'created' | 'updated' | 'deleted';
export type ChangeListener = (mailbox: string, changeType: ChangeType, event: StoredEvent) => void;

export class CalendarStore {
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly occurrences = new Map<string, { masterId: string; originalStart: number }>();
  private readonly listeners: ChangeListener[] = [];

  constructor(private readonly clock: Clock) {}

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  mailbox(userId: string): Mailbox {
    let m = this.mailboxes.get(userId);
    if (!m) {
      m = { userId, events: new Map(), tombstones: [], seq: 0, generation: 1 };
      this.mailboxes.set(userId, m);
    }
    return m;
  }

  /** Returns the existing event when one with the same transactionId exists, as Graph does. */
  create(user: FakeUser, write: EventWrite): { event: StoredEvent; created: boolean } {
    const box = this.mailbox(user.id);
    if (write.transactionId) {
      for (const e of box.events.values())
        if (e.transactionId === write.transactionId) return { event: e, created: false };
    }
    const now = new Date(this.clock.now()).toISOString();
    const event: StoredEvent = {
      id: newItemId(),
      mailbox: user.id,
      type: write.recurrence ? 'seriesMaster' : 'singleInstance',
      subject: '',
      body: { contentType: 'text', content: '' },
      start: write.start!,
      end: write.end!,
      isAllDay: false,
      location: { displayName: '' },
      attendees: [],
      recurrence: null,
      isReminderOn: true,
      reminderMinutesBeforeStart: 15,
      showAs: 'busy',
      sensitivity: 'normal',
      importance: 'normal',
      categories: [],
      isOnlineMeeting: false,
      onlineMeetingProvider: 'unknown',
      joinUrl: null,
      isCancelled: false,
      responseRequested: true,
      allowNewTimeProposals: true,
      hideAttendees: false,
      transactionId: write.transactionId ?? null,
      organizer: { name: user.displayName, address: user.mail ?? user.userPrincipalName },
      isOrganizer: true,
      extended: new Map(),
      changeKey: '',
      createdDateTime: now,
      lastModifiedDateTime: now,
      iCalUId: iCalUidFor(),
      seq: 0,
      cancelled: new Set(),
      exceptions: new Map(),
      knownInstanceIds: new Set(),
    };
    this.apply(event, write);
    this.touch(box, event);
    box.events.set(event.id, event);
    this.emit(box, 'created', event);
    return { event, created: true };
  }

  /** An event, exception or (computed) occurrence by any spelling of its id. */
  find(userId: string, id: string): { event: StoredEvent; occurrence?: Instance } | undefined {
    const box = this.mailbox(userId);
    const key = toImmutableId(id);
    const stored = box.events.get(key);
    if (stored) return { event: stored };
    const occ = this.occurrences.get(key);
    const master = occ ? box.events.get(occ.masterId) : undefined;
    if (!occ || !master || master.cancelled.has(occ.originalStart)) return undefined;
    const instance = this.instanceAt(master, occ.originalStart);
    return instance ? { event: master, occurrence: instance } : undefined;
  }

  update(userId: string, id: string, write: EventWrite): StoredEvent | undefined {
    const box = this.mailbox(userId);
    const found = this.find(userId, id);
    if (!found) return undefined;
    if (found.occurrence) return this.makeException(box, found.event, found.occurrence, write);
    const event = found.event;
    const seriesShapeChanged =
      event.type === 'seriesMaster' && (write.recurrence !== undefined || write.start || write.end);
    this.apply(event, write);
    if (event.type !== 'exception') event.type = event.recurrence ? 'seriesMaster' : 'singleInstance';
    if (seriesShapeChanged) this.dropExceptions(box, event);
    this.touch(box, event);
    this.emit(box, 'updated', event);
    return event;
  }

  delete(userId: string, id: string): boolean {
    const box = this.mailbox(userId);
    const found = this.find(userId, id);
    if (!found) return false;
    if (found.occurrence || found.event.type === 'exception') {
      const master = found.occurrence ? found.event : box.events.get(found.event.seriesMasterId!);
      const originalStart = found.occurrence?.originalStart ?? found.event.originalStart!;
      if (found.event.type === 'exception') this.removeStored(box, found.event, []);
      if (master) {
        master.cancelled.add(originalStart);
        master.exceptions.delete(originalStart);
        this.touch(box, master);
        this.emit(box, 'updated', master);
      }
      return true;
    }
    const event = found.event;
    if (event.type === 'seriesMaster') this.dropExceptions(box, event);
    this.removeStored(box, event, [...event.knownInstanceIds]);
    return true;
  }

  list(userId: string): StoredEvent[] {
    return [...this.mailbox(userId).events.values()].filter((e) => e.type !== 'exception');
  }

  /** Everything a calendar view of [start, end) shows: singles, occurrences and exceptions. */
  instancesIn(userId: string, start: number, end: number): Instance[] {
    const out: Instance[] = [];
    for (const e of this.mailbox(userId).events.values()) {
      if (e.type === 'seriesMaster') out.push(...this.seriesInstances(e, start, end));
      else if (e.type === 'singleInstance' && overlaps(e.start.instant, e.end.instant, start, end)) {
        out.push({ id: e.id, kind: 'singleInstance', event: e, start: e.start.instant, end: e.end.instant });
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** Occurrences and exceptions of a master within [start, end); records their ids as known. */
  seriesInstances(master: StoredEvent, start: number, end: number): Instance[] {
    const box = this.mailbox(master.mailbox);
    const out: Instance[] = [];
    const lastDate = instantToLocal(end, 'UTC').slice(0, 10);
    for (const date of occurrenceDates(master.recurrence!, addDays(lastDate, 1))) {
      const instance = this.occurrenceOn(master, date);
      if (master.cancelled.has(instance.originalStart!)) continue;
      const exceptionId = master.exceptions.get(instance.originalStart!);
      const exception = exceptionId ? box.events.get(exceptionId) : undefined;
      if (exception) {
        if (overlaps(exception.start.instant, exception.end.instant, start, end)) {
          master.knownInstanceIds.add(exception.id);
          out.push({
            id: exception.id,
            kind: 'exception',
            event: exception,
            start: exception.start.instant,
            end: exception.end.instant,
            originalStart: exception.originalStart,
          });
        }
        continue;
      }
      if (overlaps(instance.start, instance.end, start, end)) {
        master.knownInstanceIds.add(instance.id);
        out.push(instance);
      }
    }
    return out;
  }

  private instanceAt(master: StoredEvent, originalStart: number): Instance | undefined {
    for (const date of occurrenceDates(
      master.recurrence!,
      addDays(instantToLocal(originalStart, 'UTC').slice(0, 10), 2),
    )) {
      const instance = this.occurrenceOn(master, date);
      if (instance.originalStart === originalStart) return instance;
    }
    return undefined;
  }

  private occurrenceOn(master: StoredEvent, date: string): Instance {
    const zone = graphZoneToIana(master.start.zone) ?? 'UTC';
    const startLocal = `${date}${master.start.local.slice(10)}`;
    const start = localToInstant(startLocal, zone);
    const end = start + (master.end.instant - master.start.instant);
    const originalStart = start;
    const id = occurrenceItemId(master.id, new Date(originalStart).toISOString());
    this.occurrences.set(id, { masterId: master.id, originalStart });
    const endLocal = master.isAllDay
      ? addDays(date, daysBetween(master.start.local, master.end.local)) + 'T00:00:00'
      : instantToLocal(end, zone);
    return { id, kind: 'occurrence', event: master, start, end, startLocal, endLocal, originalStart };
  }

  private makeException(
    box: Mailbox,
    master: StoredEvent,
    occurrence: Instance,
    write: EventWrite,
  ): StoredEvent {
    const zone = master.start.zone;
    const iana = graphZoneToIana(zone) ?? 'UTC';
    const exception: StoredEvent = {
      ...master,
      id: occurrence.id,
      type: 'exception',
      start: { local: occurrence.startLocal!, zone, instant: occurrence.start },
      end: { local: occurrence.endLocal!, zone, instant: localToInstant(occurrence.endLocal!, iana) },
      recurrence: null,
      transactionId: null,
      extended: new Map(master.extended),
      seriesMasterId: master.id,
      originalStart: occurrence.originalStart,
      createdDateTime: new Date(this.clock.now()).toISOString(),
      cancelled: new Set(),
      exceptions: new Map(),
      knownInstanceIds: new Set(),
    };
    this.apply(exception, { ...write, recurrence: undefined, transactionId: undefined });
    master.exceptions.set(occurrence.originalStart!, exception.id);
    this.touch(box, exception);
    box.events.set(exception.id, exception);
    this.emit(box, 'updated', exception);
    return exception;
  }

  private dropExceptions(box: Mailbox, master: StoredEvent): void {
    for (const id of master.exceptions.values()) {
      const e = box.events.get(id);
      if (e) this.removeStored(box, e, []);
    }
    master.exceptions.clear();
    master.cancelled.clear();
  }

  private removeStored(box: Mailbox, event: StoredEvent, instanceIds: string[]): void {
    box.events.delete(event.id);
    box.seq++;
    box.tombstones.push({ id: event.id, seq: box.seq, instanceIds });
    this.emit(box, 'deleted', event);
  }

  private apply(event: StoredEvent, write: EventWrite): void {
    const { singleValueExtendedProperties, transactionId, location, onlineMeetingProvider, ...rest } = write;
    for (const [name, value] of Object.entries(rest)) {
      if (value !== undefined) (event as unknown as Record<string, unknown>)[name] = value;
    }
    if (location !== undefined) event.location = { displayName: '', ...location };
    if (onlineMeetingProvider !== undefined) event.onlineMeetingProvider = onlineMeetingProvider;
    if (transactionId !== undefined && event.transactionId === null && event.seq === 0)
      event.transactionId = transactionId;
    for (const p of singleValueExtendedProperties ?? []) {
      event.extended.set(p.id.trim().toLowerCase(), { id: p.id.trim(), value: p.value ?? '' });
    }
    if (event.isOnlineMeeting && !event.joinUrl) {
      event.joinUrl = `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${event.id.slice(-24)}%40thread.v2/0`;
      event.onlineMeetingProvider = 'teamsForBusiness';
    }
  }

  private touch(box: Mailbox, event: StoredEvent): void {
    box.seq++;
    event.seq = box.seq;
    event.changeKey = newChangeKey();
    event.lastModifiedDateTime = new Date(this.clock.now()).toISOString();
  }

  private emit(box: Mailbox, changeType: ChangeType, event: StoredEvent): void {
    for (const l of this.listeners) l(box.userId, changeType, event);
  }
}

const overlaps = (aStart: number, aEnd: number, bStart: number, bEnd: number) =>
  aStart < bEnd && (aEnd > bStart || (aEnd === aStart && aStart >= bStart));

function daysBetween(startLocal: string, endLocal: string): number {
  return Math.round(
    (Date.parse(`${endLocal.slice(0, 10)}T00:00:00Z`) - Date.parse(`${startLocal.slice(0, 10)}T00:00:00Z`)) /
      86_400_000,
  );
}
