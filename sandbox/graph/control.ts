import type { GraphLifecycleEvent } from '../../shared/connectors/graph/wire-types';
import type { FakeGraphServices } from './context';
import { ContactControl } from './contact-control';
import { contactServices } from './contact-services';
import type { FakeUser, NewFakeUser } from './directory';
import { renderInstance, renderStored, type RenderOptions } from './event-render';
import { parseEventWrite } from './event-validation';
import type { FaultRule, FaultSpec } from './faults';
import type { AppRegistration } from './identity';
import { MailControl, type DeliverOptions } from './mail-control';
import type { Delivery, ReleaseOrder } from './notifier';
import { renderSubscription, type StoredSubscription } from './subscriptions';
import { TodoControl } from './todo-control';
import { todoServices } from './todo-services';

/**
 * What tests and the demo do to the fake besides calling Graph: seed users, act as a user in Outlook (edits
 * that notify like any change), inject faults, steer notification delivery, expire delta tokens, inspect.
 */

export interface CapturedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: unknown;
  status?: number;
  /** The JSON the fake answered with, when it answered JSON. */
  response?: unknown;
}

const OUTLOOK_VIEW: RenderOptions = {
  immutableIds: true,
  timeZone: 'UTC',
  bodyType: 'text',
  extendedProperties: 'all',
};

export class FakeGraphControl {
  readonly requests: CapturedRequest[] = [];
  private readonly mail: MailControl;
  /** The user's Microsoft To Do (see todo-control.ts). */
  readonly todo: TodoControl;
  /** The user's Outlook contacts (see contact-control.ts). */
  readonly contacts: ContactControl;

  constructor(private readonly s: FakeGraphServices) {
    this.mail = new MailControl(s);
    this.todo = new TodoControl(s);
    this.contacts = new ContactControl(s);
  }

  // --- directory and apps
  addUser(user: NewFakeUser): FakeUser {
    return this.s.directory.add(user);
  }

  users(): FakeUser[] {
    return this.s.directory.all();
  }

  /**
   * Gives the user an Exchange Online mailbox or takes it away (no licence, a mailbox on premises or reachable by
   * POP3/IMAP only): without one every mailbox resource answers 404 MailboxNotEnabledForRESTAPI.
   */
  setMailbox(idOrUpn: string, hasMailbox: boolean): FakeUser {
    const user = this.s.directory.find(idOrUpn);
    if (!user) throw new Error(`no user ${idOrUpn}`);
    user.hasMailbox = hasMailbox;
    return user;
  }

  registerApp(app: AppRegistration): void {
    this.s.identity.registerApp(app);
  }

  revokeTokens(): void {
    this.s.identity.revokeAll();
  }

  setTokenLifetime(seconds: number): void {
    this.s.identity.tokenLifetimeSeconds = seconds;
  }

  tokenRequests(): number {
    return this.s.identity.tokenRequests;
  }

  // --- the user working in Outlook
  createEvent(user: string, body: unknown): Record<string, unknown> {
    const owner = this.user(user);
    const parsed = parseEventWrite(body, 'create');
    if (!parsed.ok) throw new Error(`${parsed.error.code}: ${parsed.error.message}`);
    return renderStored(this.s.calendar.create(owner, parsed.value).event, OUTLOOK_VIEW);
  }

  updateEvent(user: string, id: string, patch: unknown): Record<string, unknown> {
    const parsed = parseEventWrite(patch, 'update');
    if (!parsed.ok) throw new Error(`${parsed.error.code}: ${parsed.error.message}`);
    const updated = this.s.calendar.update(this.user(user).id, id, parsed.value);
    if (!updated) throw new Error(`no event ${id}`);
    return renderStored(updated, OUTLOOK_VIEW);
  }

  deleteEvent(user: string, id: string): boolean {
    return this.s.calendar.delete(this.user(user).id, id);
  }

  getEvent(user: string, id: string): Record<string, unknown> | undefined {
    const found = this.s.calendar.find(this.user(user).id, id);
    if (!found) return undefined;
    return found.occurrence
      ? renderInstance(found.occurrence, OUTLOOK_VIEW)
      : renderStored(found.event, OUTLOOK_VIEW);
  }

  /** Singles and series masters, as GET /events lists them. */
  listEvents(user: string): Record<string, unknown>[] {
    return this.s.calendar.list(this.user(user).id).map((e) => renderStored(e, OUTLOOK_VIEW));
  }

  // --- the user's mail (see mail-control.ts)
  deliverMail(user: string, folder: string, raw: Buffer | string, options?: DeliverOptions) {
    return this.mail.deliver(user, folder, raw, options);
  }

  mailMessages(user: string, folder: string) {
    return this.mail.messages(user, folder);
  }

  setMailRead(user: string, messageId: string, isRead: boolean) {
    return this.mail.setRead(user, messageId, isRead);
  }

  setMailFlag(user: string, messageId: string, flagStatus: 'flagged' | 'complete' | 'notFlagged') {
    return this.mail.setFlag(user, messageId, flagStatus);
  }

  deleteMail(user: string, messageId: string): boolean {
    return this.mail.delete(user, messageId);
  }

  moveMail(user: string, messageId: string, folder: string) {
    return this.mail.move(user, messageId, folder);
  }

  setMailAttachmentsOnNonDraft(mode: 'accept' | 'reject'): void {
    this.s.mailOptions.attachmentsOnNonDraft = mode;
  }

  // --- delta
  expireDeltaTokens(user?: string): void {
    const ids = user ? [this.user(user).id] : this.s.directory.all().map((u) => u.id);
    for (const id of ids) {
      this.s.delta.expire(id);
      this.s.mailDelta.expire(id);
      todoServices(this.s).delta.expire(id);
      contactServices(this.s).delta.expire(id);
    }
  }

  // --- faults
  addFault(spec: FaultSpec): FaultRule {
    return this.s.faults.add(spec);
  }

  clearFaults(): void {
    this.s.faults.clear();
  }

  faults(): FaultRule[] {
    return this.s.faults.list();
  }

  mailboxMaxInFlight(user: string): number {
    return this.s.concurrency.maxSeen.get(this.user(user).id) ?? 0;
  }

  mailboxRejections(): number {
    return this.s.concurrency.rejected;
  }

  resetMailboxStats(): void {
    this.s.concurrency.maxSeen.clear();
    this.s.concurrency.rejected = 0;
  }

  setMailboxConcurrencyLimit(limit: number): void {
    this.s.concurrency.limit = limit;
  }

  // --- notifications
  dropNotifications(count: number): void {
    this.s.notifier.dropNext(count);
  }

  duplicateNotifications(count: number): void {
    this.s.notifier.duplicateNext(count);
  }

  delayNotifications(count: number, ms: number): void {
    this.s.notifier.delayNext(count, ms);
  }

  holdNotifications(): void {
    this.s.notifier.hold();
  }

  releaseNotifications(order: ReleaseOrder = 'fifo'): Promise<void> {
    return this.s.notifier.release(order);
  }

  notificationsIdle(): Promise<void> {
    return this.s.notifier.idle();
  }

  deliveries(): Delivery[] {
    return this.s.notifier.deliveries;
  }

  // --- subscriptions
  subscriptions(): Record<string, unknown>[] {
    return this.s.subscriptions.list().map(renderSubscription);
  }

  /** Graph removes the subscription (e.g. access changed) and says so with subscriptionRemoved. */
  removeSubscription(id: string): boolean {
    const removed = this.s.subscriptions.remove(id);
    if (removed) this.s.notifier.lifecycle(target(removed), 'subscriptionRemoved');
    return removed !== undefined;
  }

  sendLifecycle(id: string, event: GraphLifecycleEvent): boolean {
    const sub = this.s.subscriptions.get(id);
    if (sub) this.s.notifier.lifecycle(target(sub), event);
    return sub !== undefined;
  }

  // --- captured traffic
  clearRequests(): void {
    this.requests.length = 0;
  }

  countRequests(method: string, path: RegExp | string): number {
    return this.requests.filter(
      (r) =>
        r.method === method.toUpperCase() &&
        (typeof path === 'string' ? r.path.includes(path) : path.test(r.path)),
    ).length;
  }

  private user(idOrUpn: string): FakeUser {
    const u = this.s.directory.find(idOrUpn);
    if (!u) throw new Error(`no user ${idOrUpn}`);
    return u;
  }
}

export function target(s: StoredSubscription) {
  return {
    subscriptionId: s.id,
    notificationUrl: s.notificationUrl,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl,
    clientState: s.clientState,
    expirationDateTime: s.expirationDateTime,
  };
}
