import type { CallbackBehaviour, CallbackDelivery, CallbackTarget } from './callback-sender';
import { parseWrite } from './event-input';
import { eventView } from './event-views';
import { extContactControl, type ExtContactControl } from './extcontact-control';
import type { Exchange, FakeState, SentNotification } from './fake-state';
import type { FaultSpec } from './faults';
import type { FakeDepartment, FakeUser, UserSeed } from './org';
import { scopeControl, type ScopeControl } from './scope-control';
import { todoControl, type TodoControl } from './todo-control';

/**
 * What tests and the local sandbox can do to the fake besides calling DingTalk's API: seed and change the org
 * (with the contact callbacks DingTalk would send), act as a user in the DingTalk app, inject faults, move
 * limits, configure and check callbacks, and read what happened.
 */
/** External contacts: see extcontact-control.ts; API permissions: scope-control.ts. */
export interface FakeDingTalkControl extends ExtContactControl, TodoControl, ScopeControl {
  addDepartment(d: FakeDepartment): FakeDepartment;
  /** Sends user_add_org. */
  addUser(seed: UserSeed): FakeUser;
  /** Sends user_modify_org. */
  modifyUser(userid: string, patch: Partial<UserSeed>): FakeUser;
  /** Sends user_leave_org. */
  removeUser(userid: string): void;
  users(): FakeUser[];

  /** The user creates an event in the DingTalk app (body as for CreateEvent); answers the GetEvent view. */
  userCreatesEvent(unionId: string, body: Record<string, unknown>): Record<string, unknown>;
  userUpdatesEvent(unionId: string, eventId: string, patch: Record<string, unknown>): Record<string, unknown>;
  userDeletesEvent(unionId: string, eventId: string): void;
  /** The organizer changes or cancels one occurrence of a series, which DingTalk keeps as its own instance event. */
  userChangesOccurrence(
    unionId: string,
    seriesMasterId: string,
    originStart: string,
    change: { cancelled?: boolean; patch?: Record<string, unknown> },
  ): Record<string, unknown>;
  /** The user's calendar as ListEvents would show it (without deleted events). */
  calendarOf(unionId: string): Record<string, unknown>[];

  injectFault(spec: FaultSpec): void;
  clearFaults(): void;
  /** Every access token issued so far stops working (as after 7,200 s). */
  expireTokens(): void;
  setTokenLifetime(seconds: number): void;
  /** Every syncToken/nextToken issued so far (for one user, or all) is rejected from now on. */
  invalidateSyncTokens(unionId?: string): void;
  setQpsLimit(limit: number): void;
  setMonthlyQuota(quota: number): void;
  setMonthlyUsage(used: number): void;
  usage(): { month: string; metered: number; quota: number; byApi: Record<string, number> };

  setCallbackTarget(
    target: (Partial<CallbackTarget> & { url: string; token: string; aesKey: string }) | undefined,
  ): void;
  setCallbackBehaviour(behaviour: Partial<CallbackBehaviour>): void;
  /** Sends check_url like the console's save button; ok only for the right answer within 1.5 s. */
  registerCallback(): Promise<{ ok: boolean; elapsedMs: number; reason?: string }>;
  callbacksSettled(): Promise<void>;
  deliveries(): CallbackDelivery[];

  exchanges(): Exchange[];
  clearExchanges(): void;
  notifications(): SentNotification[];
}

const SILENT = { noPushNotification: 'true', noChatNotification: 'true' };

export function createControl(state: FakeState): FakeDingTalkControl {
  const { org, calendar } = state;
  const isMember = (unionId: string) => org.byUnionId(unionId) !== undefined;
  const getView = (unionId: string) => (e: Parameters<typeof eventView>[0]) =>
    eventView(e, 'GetEvent', { viewer: unionId, org, corpId: state.identity.corpId });

  return {
    ...todoControl(state),
    ...extContactControl(state),
    ...scopeControl(state),
    addDepartment: (d) => org.addDepartment(d),
    addUser(seed) {
      const user = org.addUser(seed);
      state.publishUserChange('user_add_org', user.userid);
      return user;
    },
    modifyUser(userid, patch) {
      const user = org.modifyUser(userid, patch);
      state.publishUserChange('user_modify_org', userid);
      return user;
    },
    removeUser(userid) {
      org.removeUser(userid);
      state.publishUserChange('user_leave_org', userid);
    },
    users: () => org.allUsers(),

    userCreatesEvent(unionId, body) {
      const write = parseWrite({ ...body, extra: SILENT }, 'create', isMember);
      const { event, change } = calendar.create(unionId, write);
      if (change) state.publishCalendarChange(change);
      return getView(unionId)(event);
    },
    userUpdatesEvent(unionId, eventId, patch) {
      const write = parseWrite({ ...patch, extra: SILENT }, 'patch', isMember);
      const { event, change } = calendar.patch(unionId, eventId, eventId, write);
      state.publishCalendarChange(change);
      return getView(unionId)(event);
    },
    userDeletesEvent(unionId, eventId) {
      state.publishCalendarChange(calendar.delete(unionId, eventId));
    },
    userChangesOccurrence(unionId, seriesMasterId, originStart, change) {
      const fields = change.patch ? parseWrite(change.patch, 'patch', isMember).fields : undefined;
      const published = calendar.addOccurrenceException(unionId, seriesMasterId, originStart, {
        cancelled: change.cancelled === true,
        fields,
      });
      state.publishCalendarChange(published);
      return getView(unionId)(published.event);
    },
    calendarOf(unionId) {
      const events: Record<string, unknown>[] = [];
      let nextToken: string | undefined;
      do {
        const page = calendar.list(unionId, { maxResults: 100, showDeleted: false, nextToken });
        events.push(...page.items.map(({ event }) => getView(unionId)(event)));
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    },

    injectFault: (spec) => state.faults.inject(spec),
    clearFaults: () => state.faults.clear(),
    expireTokens: () => state.tokens.expireAll(),
    setTokenLifetime: (seconds) => {
      state.tokens.lifetimeSeconds = seconds;
    },
    invalidateSyncTokens: (unionId) => calendar.invalidateTokens(unionId),
    setQpsLimit: (limit) => {
      state.qps.limit = limit;
    },
    setMonthlyQuota: (quota) => {
      state.meter.quota = quota;
    },
    setMonthlyUsage: (used) => state.meter.setUsedThisMonth(used),
    usage: () => ({
      month: state.meter.month(),
      metered: state.meter.usedThisMonth(),
      quota: state.meter.quota,
      byApi: Object.fromEntries(state.meter.byApi),
    }),

    setCallbackTarget(target) {
      state.callbacks.target = target && { ownerKey: state.identity.appKey, ...target };
    },
    setCallbackBehaviour(behaviour) {
      state.callbacks.behaviour = { ...state.callbacks.behaviour, ...behaviour };
    },
    async registerCallback() {
      const d = await state.callbacks.checkUrl();
      return { ok: d.ok, elapsedMs: d.elapsedMs, reason: d.reason };
    },
    callbacksSettled: () => state.callbacks.settled(),
    deliveries: () => state.callbacks.deliveries(),

    exchanges: () => [...state.exchanges],
    clearExchanges: () => {
      state.exchanges.length = 0;
    },
    notifications: () => [...state.notifications],
  };
}
