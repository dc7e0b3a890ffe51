import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/platform/clock';
import { CalendarStore, type CalendarChange } from './calendar-store';
import { type CallbackBehaviour, CallbackSender, type CallbackTarget } from './callback-sender';
import { FaultInjector } from './faults';
import { OrgStore } from './org';
import { MonthlyMeter, QpsWindow } from './rate-limits';
import { ScopeGrants } from './scopes';
import { TokenIssuer } from './token-issuer';
import type { Family } from './wire-errors';

/** Everything one fake DingTalk holds, shared by its routes and its control API. */

export interface FakeIdentity {
  appKey: string;
  appSecret: string;
  corpId: string;
}

/** One request the fake answered, kept for tests (schema checks, call counting). */
export interface Exchange {
  family: Family;
  operation: string;
  method: string;
  path: string;
  template: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
}

/** A push or chat message DingTalk would have sent people about an event (writes without the silencing flags). */
export interface SentNotification {
  eventId: string;
  changeType: string;
  to: string[];
}

export interface FakeStateOptions {
  tokenLifetimeSeconds: number;
  qpsLimit: number;
  monthlyQuota: number;
  callback?: CallbackTarget;
  callbackBehaviour: CallbackBehaviour;
}

export class FakeState {
  readonly org = new OrgStore();
  readonly calendar: CalendarStore;
  readonly tokens: TokenIssuer;
  readonly qps: QpsWindow;
  readonly meter: MonthlyMeter;
  readonly faults = new FaultInjector();
  /** The API permissions the console has not granted (scopes.ts). */
  readonly scopes = new ScopeGrants();
  readonly callbacks: CallbackSender;
  readonly exchanges: Exchange[] = [];
  readonly notifications: SentNotification[] = [];

  constructor(
    readonly identity: FakeIdentity,
    readonly clock: Clock,
    options: FakeStateOptions,
  ) {
    this.calendar = new CalendarStore(clock);
    this.tokens = new TokenIssuer(clock, options.tokenLifetimeSeconds);
    this.qps = new QpsWindow(options.qpsLimit);
    this.meter = new MonthlyMeter(clock, options.monthlyQuota);
    this.callbacks = new CallbackSender(clock, options.callback, options.callbackBehaviour);
  }

  /** DingTalk pushes calendar_event_change for every change, the app's own writes included (DingTalk's documentation). */
  publishCalendarChange(change: CalendarChange): void {
    if (change.notifies) {
      const to = change.event.attendees.map((a) => a.id);
      this.notifications.push({ eventId: change.event.id, changeType: change.changeType, to });
    }
    const now = this.clock.now();
    this.callbacks.send({
      EventType: 'calendar_event_change',
      CorpId: this.identity.corpId,
      BizId: randomBytes(8).toString('hex'),
      EventTime: now,
      CalendarEventUpdateTime: change.event.updateTime,
      ChangeType: change.changeType,
      CalendarId: Buffer.from(`${change.event.organizer}|primary`).toString('base64url'),
      CalendarEventId: change.event.id,
      LegacyCalendarEventId: randomBytes(8).toString('hex').toUpperCase(),
      operator: { type: 'user' },
      UnionIdList: change.unionIds,
    });
  }

  publishUserChange(eventType: 'user_add_org' | 'user_modify_org' | 'user_leave_org', userid: string): void {
    this.callbacks.send({
      EventType: eventType,
      CorpId: this.identity.corpId,
      TimeStamp: String(this.clock.now()),
      UserId: [userid],
    });
  }
}
