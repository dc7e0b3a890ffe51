import { withListing } from '../listing-override';
import { systemClock, type Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { contactMatchKeys, type ContactCard } from '../../sync/contact-card';
import {
  type ChangePage,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  type UserRef,
  NotFoundRemoteError,
  PermanentRemoteError,
  VersionConflictRemoteError,
} from '../../sync/types';
import { CURSOR_VERSION_CHARS, decodeContactCursor, encodeContactCursor } from './contact-cursor';
import { type LabelCatalogue, DingTalkContactLabels } from './contact-labels';
import {
  afterWrite,
  cardFromWire,
  createBody,
  DEFAULT_STATE_CODE,
  updateBody,
  versionOf,
  type WireExtContact,
} from './contact-mapper';
import { callExtContact, DingTalkContactRoster } from './contact-roster';
import { decodeDescription } from './description-codec';
import type { DingTalkHttpClient } from './http-client';

/**
 * The DingTalk side of contact sync: a user's contacts are the org's external contacts (外部联系人,
 * topapi/extcontact/*) whose follower (负责人) is that user.
 *
 * Listing reads the shared org roster (contact-roster.ts: one org listing serves every user's poll) and diffs the
 * user's contacts against the cursor (contact-cursor.ts). Writes are oapi calls; DingTalk has no conditional write
 * and no idempotency key for external contacts, so a conditional write re-reads the contact first, and our create
 * stamps its origin key invisibly into remark (see findByOriginKey).
 *
 * Metered calls per operation (every extcontact API counts against the monthly quota):
 * - listChanges: none while the roster is younger than rosterMaxAgeMs, else its share of one refresh
 *   (ceil(org contacts / 100), once for all users); plus one get per contact that vanished from the user's list,
 *   to tell a deletion from a contact that offset paging skipped; plus listlabelgroups when the label catalogue
 *   is stale.
 * - get: 1. create: 1 (+1 get when this process already made the same key). findByOriginKey: 1 get when this
 *   process made the key, else one roster refresh.
 * - update and delete: 2 (get, then the write), or 1 when get() read the contact less than recentReadMs ago; an
 *   update that changes nothing DingTalk can write costs the get only.
 */

export const DINGTALK_CONTACT_FOLDER = 'extcontacts';

/** A DingTalk id the pair's links hold, and the version the link last synced. */
export interface KnownLink {
  id: string;
  version?: string;
}

export interface DingTalkContactAdapterOptions {
  client: DingTalkHttpClient;
  /** The process's shared roster; made here when absent (then rosterMaxAgeMs applies). */
  roster?: DingTalkContactRoster;
  /** Age after which the org listing is read again when a poll asks (default 60 s). */
  rosterMaxAgeMs?: number;
  /** The process's shared label catalogue; made here when absent. */
  labels?: DingTalkContactLabels;
  /**
   * Whether extcontact/create and /update take `email`. DingTalk documents email on get only, so by default it is
   * not sent, and an e-mail address travels from DingTalk to Outlook only.
   */
  emailWritable?: boolean;
  /** Country code of a mobile number written without "+" (default 86). */
  defaultStateCode?: string;
  /**
   * A conditional write trusts a get() of the same contact at most this old instead of reading it again (default
   * 1000 ms; 0 always reads again).
   */
  recentReadMs?: number;
  clock?: Clock;
  logger?: Logger;
}

interface GetReply {
  errcode: number;
  result?: WireExtContact;
}

interface CreateReply {
  errcode: number;
  userid?: string;
}

/** Bounds the in-process memo of our creates; it is only a shortcut before a roster scan. */
const MAX_REMEMBERED_CREATES = 10_000;
const MAX_RECENT_READS = 1_000;

export class DingTalkContactAdapter implements SideAdapter<ContactCard> {
  readonly side = 'dingtalk' as const;
  readonly kind = 'contact' as const;
  readonly roster: DingTalkContactRoster;
  readonly labels: DingTalkContactLabels;
  private readonly client: DingTalkHttpClient;
  private readonly clock: Clock;
  private readonly emailWritable: boolean;
  private readonly defaultStateCode: string;
  private readonly recentReadMs: number;
  /** originKey → contact id, for creates made by this process. */
  private readonly createdHere = new Map<string, string>();
  /** What get() just read (undefined: gone), for the re-read a conditional write needs when it is that fresh. */
  private readonly recentReads = new Map<string, { contact: WireExtContact | undefined; at: number }>();

  constructor(options: DingTalkContactAdapterOptions) {
    this.client = options.client;
    this.clock = options.clock ?? systemClock;
    this.roster =
      options.roster ??
      new DingTalkContactRoster({
        client: options.client,
        maxAgeMs: options.rosterMaxAgeMs,
        clock: this.clock,
        logger: options.logger,
      });
    this.labels = options.labels ?? new DingTalkContactLabels({ client: options.client, clock: this.clock });
    this.emailWritable = options.emailWritable ?? false;
    this.defaultStateCode = options.defaultStateCode ?? DEFAULT_STATE_CODE;
    this.recentReadMs = options.recentReadMs ?? 1000;
  }

  async listChanges(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<ContactCard>> {
    return this.listKnowing(user, folder, cursor, undefined);
  }

  /**
   * The same adapter, told by the caller which DingTalk ids the pair's links hold. A contact the app created after
   * the last listing is in no cursor; if it is deleted in DingTalk before the next listing, only the links know it
   * was there, and without them its deletion would never be seen.
   */
  withKnownLinks(known: (user: UserRef) => Promise<KnownLink[]>): SideAdapter<ContactCard> {
    return withListing(this, (user, folder, cursor) => this.listKnowing(user, folder, cursor, known));
  }

  private async listKnowing(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
    known: ((user: UserRef) => Promise<KnownLink[]>) | undefined,
  ): Promise<ChangePage<ContactCard>> {
    assertFolder(folder);
    // Read the cursor first: a bad one must not cost a listing.
    const previous = cursor === undefined ? undefined : decodeContactCursor(cursor);
    const snapshot = await this.roster.current(user.priority);
    const present = new Map(snapshot.followedBy(user.dingtalkUserId).map((c) => [c.userid, c]));
    if (previous && known) {
      // An empty version never equals a listed one, so these are reported once: a linked contact the cursor never
      // held, and one whose content is back to what the cursor holds but not to what the link last synced (edited
      // and edited back between two listings: versions are content hashes).
      for (const link of await known(user)) {
        const now = present.get(link.id);
        if (!previous.has(link.id) || (now && link.version !== undefined && versionOf(now) !== link.version))
          previous.set(link.id, '');
      }
    }
    if (previous) await this.confirmVanished(user, previous, present);

    const ids = [...present.values()].flatMap((c) => c.label_ids ?? []);
    const catalogue = await this.labels.forIds(ids, user.priority);
    const listedAt = new Date(snapshot.takenAt).toISOString();
    const changes: RemoteChange<ContactCard>[] = [];
    for (const c of present.values()) {
      if (previous?.get(c.userid) === versionOf(c).slice(0, CURSOR_VERSION_CHARS)) continue;
      changes.push(this.toItem(c, catalogue, listedAt));
    }
    for (const id of previous?.keys() ?? []) {
      if (!present.has(id)) changes.push({ id, deleted: true });
    }
    return {
      changes,
      nextCursor: encodeContactCursor([...present.values()].map((c) => [c.userid, versionOf(c)] as const)),
      fullListing: previous === undefined,
      more: false,
    };
  }

  /** Undefined when the contact is gone or now followed by someone else (it is no longer this user's). */
  async get(user: UserRef, id: string): Promise<RemoteItem<ContactCard> | undefined> {
    const contact = await this.fetch(user, id);
    this.rememberRead(id, contact);
    if (!contact || contact.follower_user_id !== user.dingtalkUserId) return undefined;
    return this.toItem(
      contact,
      await this.labels.forIds(contact.label_ids ?? [], user.priority),
      this.nowIso(),
    );
  }

  async create(user: UserRef, projection: ContactCard, originKey: string): Promise<RemoteItem<ContactCard>> {
    const again = await this.findKnown(user, originKey);
    if (again) return again;
    const catalogue = await this.labels.forNames(projection.labels, user.priority);
    let labelIds = catalogue.idsOf(projection.labels);
    if (labelIds.length === 0) labelIds = defaultLabels(catalogue);
    const body = createBody(projection, {
      followerUserId: user.dingtalkUserId,
      labelIds,
      originKey,
      emailWritable: this.emailWritable,
      defaultStateCode: this.defaultStateCode,
    });
    const reply = await callExtContact<CreateReply>(this.client, 'create', { contact: body }, user.priority);
    if (!reply.userid) throw new PermanentRemoteError('DingTalk extcontact/create answered without a userid');
    this.rememberCreate(originKey, reply.userid);
    const contact = afterWrite(undefined, reply.userid, body);
    this.roster.put(contact);
    return this.toItem(contact, catalogue, this.nowIso());
  }

  /**
   * First what this process knows (its own creates: one get; the roster in hand: free). Otherwise a roster
   * refresh started after this call, scanned for our stamp in remark: the engine asks only when replaying an
   * interrupted create, and concurrent asks share one refresh.
   */
  async findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<ContactCard> | undefined> {
    const known = await this.findKnown(user, originKey);
    if (known) return known;
    const snapshot = await this.roster.fresh(user.priority);
    return this.scanForStamp(user, snapshot.followedBy(user.dingtalkUserId), originKey);
  }

  /**
   * extcontact/update has no condition, so the contact is read first (or taken from a get() a moment ago) and its
   * version compared. Fields the API cannot write (mobile, state_code; email unless emailWritable) stay as
   * DingTalk holds them, and the returned item says so. Card labels that name no DingTalk label leave the
   * contact's labels as they are (DingTalk requires at least one).
   */
  async update(
    user: UserRef,
    id: string,
    projection: ContactCard,
    expectedVersion?: string,
  ): Promise<RemoteItem<ContactCard>> {
    const current = await this.readForWrite(user, id);
    if (!current) throw new NotFoundRemoteError(`DingTalk external contact ${id} is gone`);
    assertVersion(current, expectedVersion);
    const catalogue = await this.labels.forNames(projection.labels, user.priority);
    let labelIds = catalogue.idsOf(projection.labels, current.label_ids ?? []);
    if (labelIds.length === 0)
      labelIds = current.label_ids?.length ? current.label_ids : defaultLabels(catalogue);
    const body = updateBody(projection, current, labelIds, this.emailWritable);
    if (!body) return this.toItem(current, catalogue, this.nowIso());
    this.recentReads.delete(id);
    await callExtContact(this.client, 'update', { contact: body }, user.priority);
    const updated = afterWrite(current, id, body);
    this.roster.put(updated);
    return this.toItem(updated, catalogue, this.nowIso());
  }

  /**
   * Read first even without an expectedVersion: a contact handed over to another colleague is theirs now, and a
   * delete must not reach it. A contact already gone counts as deleted.
   */
  async delete(user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    const current = await this.readForWrite(user, id);
    if (!current) return;
    assertVersion(current, expectedVersion);
    this.recentReads.delete(id);
    try {
      await callExtContact(this.client, 'delete', { user_id: id }, user.priority);
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
    }
    this.roster.remove(id);
  }

  /**
   * A contact in the cursor but not in the user's part of the roster was deleted, handed to another follower, or
   * skipped: offset paging over a list that changes while it is read can miss a contact. A deletion would travel
   * to Outlook, so each one is confirmed with a get (deletions are rare; the calls are few).
   */
  private async confirmVanished(
    user: UserRef,
    previous: Map<string, string>,
    present: Map<string, WireExtContact>,
  ): Promise<void> {
    const vanished = [...previous.keys()].filter((id) => !present.has(id));
    const found = await Promise.all(vanished.map((id) => this.fetch(user, id)));
    vanished.forEach((id, i) => {
      const contact = found[i];
      if (!contact) {
        this.roster.remove(id);
        return;
      }
      this.roster.put(contact);
      if (contact.follower_user_id === user.dingtalkUserId) present.set(id, contact);
    });
  }

  /** Our own create, from this process's memo (one get) or from the roster in hand (free). */
  private async findKnown(user: UserRef, originKey: string): Promise<RemoteItem<ContactCard> | undefined> {
    const id = this.createdHere.get(originKey);
    if (id) {
      const item = await this.get(user, id);
      if (item) return item;
    }
    const snapshot = this.roster.peek();
    return snapshot
      ? this.scanForStamp(user, snapshot.followedBy(user.dingtalkUserId), originKey)
      : undefined;
  }

  private async scanForStamp(
    user: UserRef,
    contacts: WireExtContact[],
    originKey: string,
  ): Promise<RemoteItem<ContactCard> | undefined> {
    const match = contacts.find(
      (c) =>
        c.follower_user_id === user.dingtalkUserId &&
        decodeDescription(c.remark ?? '').originKey === originKey,
    );
    if (!match) return undefined;
    return this.toItem(match, await this.labels.forIds(match.label_ids ?? [], user.priority), this.nowIso());
  }

  /** The contact as it is now, if it is still this user's: a get() of a moment ago, else one extcontact/get. */
  private async readForWrite(user: UserRef, id: string): Promise<WireExtContact | undefined> {
    const recent = this.freshRead(id);
    const contact = recent ? recent.contact : await this.fetch(user, id);
    if (!recent) this.rememberRead(id, contact);
    return contact && contact.follower_user_id === user.dingtalkUserId ? contact : undefined;
  }

  private async fetch(user: UserRef, id: string): Promise<WireExtContact | undefined> {
    try {
      const reply = await callExtContact<GetReply>(this.client, 'get', { user_id: id }, user.priority);
      if (!reply.result?.userid) return undefined;
      return reply.result;
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  private toItem(c: WireExtContact, catalogue: LabelCatalogue, modifiedAt: string): RemoteItem<ContactCard> {
    const { card, originKey } = cardFromWire(c, (ids) => catalogue.namesOf(ids));
    const item: RemoteItem<ContactCard> = {
      id: c.userid,
      version: versionOf(c),
      // DingTalk keeps no modification time: a listed change is dated when the roster read it, a read or write now.
      modifiedAt,
      projection: card,
      matchKeys: contactMatchKeys(card),
    };
    if (originKey) item.originKey = originKey;
    return item;
  }

  private rememberRead(id: string, contact: WireExtContact | undefined): void {
    if (contact) this.roster.put(contact);
    if (this.recentReadMs <= 0) return;
    this.recentReads.delete(id);
    this.recentReads.set(id, { contact, at: this.clock.now() });
    this.pruneReads();
  }

  private freshRead(id: string): { contact: WireExtContact | undefined } | undefined {
    if (this.recentReadMs <= 0) return undefined;
    this.pruneReads();
    return this.recentReads.get(id);
  }

  /** Entries are kept in read order, so the stale ones (and, past the bound, the oldest) are at the front. */
  private pruneReads(): void {
    const oldest = this.clock.now() - this.recentReadMs;
    for (const [id, read] of this.recentReads) {
      if (read.at >= oldest && this.recentReads.size <= MAX_RECENT_READS) break;
      this.recentReads.delete(id);
    }
  }

  private rememberCreate(originKey: string, id: string): void {
    this.createdHere.set(originKey, id);
    if (this.createdHere.size > MAX_REMEMBERED_CREATES) {
      this.createdHere.delete(this.createdHere.keys().next().value!);
    }
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function assertFolder(folder: string): void {
  if (folder !== DINGTALK_CONTACT_FOLDER) {
    throw new PermanentRemoteError(
      `DingTalk contact sync covers the external contacts ("${DINGTALK_CONTACT_FOLDER}"), not "${folder}"`,
    );
  }
}

/** The re-read before a write found another version: someone edited the contact since the engine read it. */
function assertVersion(current: WireExtContact, expectedVersion: string | undefined): void {
  const version = versionOf(current);
  if (expectedVersion && version !== expectedVersion) {
    throw new VersionConflictRemoteError(
      `DingTalk external contact ${current.userid} changed since it was read`,
      version,
    );
  }
}

function defaultLabels(catalogue: LabelCatalogue): number[] {
  const id = catalogue.defaultId();
  if (id === undefined) {
    throw new PermanentRemoteError(
      'DingTalk requires a label on every external contact, and the org has no external-contact labels',
      'NoLabels',
    );
  }
  return [id];
}
