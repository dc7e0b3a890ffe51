import { systemClock, type Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { NotFoundRemoteError, PermanentRemoteError } from '../../sync/types';
import type { WireExtContact } from './contact-mapper';
import type { BudgetPriority } from './budget-governor';
import type { DingTalkHttpClient } from './http-client';

/**
 * One org-wide snapshot of the external contacts (外部联系人), shared by every user of the process.
 *
 * DingTalk offers only an org-wide listing (topapi/extcontact/list, "获取外部联系人列表": offset and size, at most
 * 100 per call) and no change event for external contacts, so a user's contacts are those of the listing whose
 * follower (follower_user_id, 负责人) is that user. Listing the org once per user would cost users × pages
 * metered calls per poll round; instead one refresh serves every user's poll.
 *
 * Cost: one refresh = ceil(contacts / 100) metered calls (one more when the count is a multiple of 100, as the
 * last full page cannot tell that nothing follows), whatever the number of users; e.g. 5,000 contacts cost 50
 * calls per refresh. A refresh happens only when someone asks for a snapshot older than `maxAgeMs` (default
 * 60 s), and only one runs at a time: callers that ask meanwhile wait for it. So polls of any number of users
 * cost at most one refresh per `maxAgeMs`, and an edit made in the DingTalk app is seen within about that time.
 *
 * The adapter's own writes are applied to the snapshot as they succeed (and again to a refresh that was already
 * under way), so a user's next poll sees them without waiting for the next refresh.
 */

export interface RosterSnapshot {
  /** When the refresh that produced it started (what it shows is at least that recent). */
  takenAt: number;
  contact(id: string): WireExtContact | undefined;
  /** The contacts this colleague follows, in the listing's order. */
  followedBy(userId: string): WireExtContact[];
  size: number;
}

export interface DingTalkContactRosterOptions {
  client: DingTalkHttpClient;
  /** Age after which a snapshot is refreshed when asked for (default 60 s). */
  maxAgeMs?: number;
  clock?: Clock;
  logger?: Logger;
}

interface ListReply {
  errcode: number;
  results?: WireExtContact[];
}

type LocalWrite = { kind: 'put'; contact: WireExtContact } | { kind: 'remove'; id: string };

const PAGE_SIZE = 100;
/** 1,000,000 contacts: a bound against a listing that never ends, not a limit anyone should reach. */
const MAX_PAGES = 10_000;

export class DingTalkContactRoster {
  private readonly client: DingTalkHttpClient;
  private maxAgeMs: number;
  private readonly clock: Clock;
  private snapshot: Snapshot | undefined;
  private refreshing: Promise<Snapshot> | undefined;
  private readonly changeListeners: Array<(followers: string[]) => void> = [];
  /** A refresh asked for while another runs, to start right after it (fresh()). */
  private queued: Promise<Snapshot> | undefined;
  /** Our writes made while a refresh runs: the listing may have read their page before they happened. */
  private writesDuringRefresh: LocalWrite[] = [];
  private refreshes = 0;

  constructor(private readonly options: DingTalkContactRosterOptions) {
    this.client = options.client;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
  }

  /** How many org listings this process has made (for logs and metrics). */
  get refreshCount(): number {
    return this.refreshes;
  }

  /**
   * Sets how old a snapshot may get: the poll cadence the budget governor plans for the contacts (a refresh is what
   * costs metered calls, so pacing the refreshes is what keeps the contact polls within the quota).
   */
  pace(maxAgeMs: number): void {
    if (maxAgeMs > 0) this.maxAgeMs = maxAgeMs;
  }

  /**
   * Called after each refresh with the followers whose contacts changed since the previous one (our own writes
   * excepted: they were applied to the snapshot as they succeeded). DingTalk has no external-contact event, so the
   * refresh is the event: a follower's pull can start at once rather than at their next poll.
   */
  onChange(listener: (followers: string[]) => void): void {
    this.changeListeners.push(listener);
  }

  /**
   * A snapshot at most maxAgeMs old; refreshes (or joins the refresh under way) otherwise. A refresh is charged to
   * the budget at the priority of the caller that starts it.
   */
  async current(priority?: BudgetPriority): Promise<RosterSnapshot> {
    if (this.snapshot && this.clock.now() - this.snapshot.takenAt < this.maxAgeMs) return this.snapshot;
    return this.refresh(priority);
  }

  /**
   * A snapshot whose listing started after this call: what findByOriginKey needs to see a create made before it.
   * Callers that ask while a refresh runs share one refresh started right after it.
   */
  async fresh(priority?: BudgetPriority): Promise<RosterSnapshot> {
    if (!this.refreshing) return this.refresh(priority);
    this.queued ??= this.refreshing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh(priority);
      });
    return this.queued;
  }

  /** The snapshot in hand, if any, without refreshing (a free look, e.g. before a create). */
  peek(): RosterSnapshot | undefined {
    return this.snapshot;
  }

  /** Our create or update succeeded: the contact now reads like this. */
  put(contact: WireExtContact): void {
    this.apply({ kind: 'put', contact });
  }

  /** Our delete succeeded, or a read found the contact gone. */
  remove(id: string): void {
    this.apply({ kind: 'remove', id });
  }

  private apply(write: LocalWrite): void {
    this.snapshot?.apply(write);
    if (this.refreshing) this.writesDuringRefresh.push(write);
  }

  private refresh(priority: BudgetPriority | undefined): Promise<Snapshot> {
    this.refreshing ??= this.list(priority).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async list(priority: BudgetPriority | undefined): Promise<Snapshot> {
    const takenAt = this.clock.now();
    this.writesDuringRefresh = [];
    const contacts = new Map<string, WireExtContact>();
    let calls = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const reply = await callExtContact<ListReply>(
        this.client,
        'list',
        { offset: page * PAGE_SIZE, size: PAGE_SIZE },
        priority,
      );
      calls++;
      const results = reply.results ?? [];
      // Offset paging over a list that changes meanwhile may show a contact twice; the id keeps it once.
      for (const c of results) if (c?.userid) contacts.set(c.userid, c);
      if (results.length < PAGE_SIZE) break;
    }
    const snapshot = new Snapshot(takenAt, contacts);
    for (const write of this.writesDuringRefresh) snapshot.apply(write);
    this.writesDuringRefresh = [];
    const previous = this.snapshot;
    this.snapshot = snapshot;
    if (previous) this.announce(changedFollowers(previous, snapshot));
    this.refreshes++;
    this.options.logger?.debug('external contacts listed', { contacts: contacts.size, calls });
    return snapshot;
  }

  private announce(followers: string[]): void {
    if (followers.length === 0) return;
    for (const listener of this.changeListeners) {
      try {
        listener(followers);
      } catch (err) {
        this.options.logger?.warn('a contact change listener failed', { error: err });
      }
    }
  }
}

/** The followers whose contacts differ between two snapshots: added, removed, edited, or handed to someone else. */
function changedFollowers(before: Snapshot, after: Snapshot): string[] {
  const followers = new Set<string>();
  const note = (c: WireExtContact | undefined) => {
    if (c?.follower_user_id) followers.add(c.follower_user_id);
  };
  for (const c of after.all()) {
    const old = before.contact(c.userid);
    if (!old || JSON.stringify(old) !== JSON.stringify(c)) {
      note(old);
      note(c);
    }
  }
  for (const c of before.all()) if (!after.contact(c.userid)) note(c);
  return [...followers];
}

class Snapshot implements RosterSnapshot {
  private readonly byFollower = new Map<string, Map<string, WireExtContact>>();

  constructor(
    readonly takenAt: number,
    private readonly byId: Map<string, WireExtContact>,
  ) {
    for (const c of byId.values()) this.index(c);
  }

  get size(): number {
    return this.byId.size;
  }

  contact(id: string): WireExtContact | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<WireExtContact> {
    return this.byId.values();
  }

  followedBy(userId: string): WireExtContact[] {
    return [...(this.byFollower.get(userId)?.values() ?? [])];
  }

  apply(write: LocalWrite): void {
    const id = write.kind === 'put' ? write.contact.userid : write.id;
    const old = this.byId.get(id);
    if (old) this.byFollower.get(old.follower_user_id ?? '')?.delete(id);
    if (write.kind === 'remove') {
      this.byId.delete(id);
      return;
    }
    this.byId.set(id, write.contact);
    this.index(write.contact);
  }

  private index(c: WireExtContact): void {
    const follower = c.follower_user_id ?? '';
    let mine = this.byFollower.get(follower);
    if (!mine) this.byFollower.set(follower, (mine = new Map()));
    mine.set(c.userid, c);
  }
}

/** The external-contact permissions DingTalk's API pages name: reading, and creating/updating/deleting. */
const PERMISSION: Record<string, 'qyapi_ext_read' | 'qyapi_ext_write'> = {
  list: 'qyapi_ext_read',
  get: 'qyapi_ext_read',
  listlabelgroups: 'qyapi_ext_read',
  create: 'qyapi_ext_write',
  update: 'qyapi_ext_write',
  delete: 'qyapi_ext_write',
};

/** errcode 60011: the app lacks the API's permission; 33012: "Invalid userId", i.e. no such external contact. */
const NO_PERMISSION = '60011';
const INVALID_USER_ID = '33012';

/**
 * One topapi/extcontact/<operation> call, with the two refusals only these APIs give turned into what they mean:
 * a missing permission names the permission an admin has to grant, and an unknown contact id is "not found". QPS
 * (90018) and the monthly quota (90020) are handled by the client like everywhere else.
 */
export async function callExtContact<T extends { errcode?: number }>(
  client: DingTalkHttpClient,
  operation: keyof typeof PERMISSION,
  body: unknown,
  priority?: BudgetPriority,
): Promise<T> {
  try {
    return await client.oapi<T>(`/topapi/extcontact/${operation}`, body, priority);
  } catch (err) {
    if (err instanceof PermanentRemoteError && err.remoteCode === NO_PERMISSION) {
      throw new PermanentRemoteError(
        `DingTalk refused topapi/extcontact/${operation}: the app lacks the permission ${PERMISSION[operation]} ` +
          `(external contacts); an org admin has to grant it to the app in the developer console`,
        err.remoteCode,
        err.status,
      );
    }
    // 60121 / 60003 (no such colleague or department) name the follower here, not the contact: the contact is
    // not "gone", the write cannot be made.
    if (err instanceof NotFoundRemoteError && (operation === 'create' || operation === 'update')) {
      throw new PermanentRemoteError(
        `DingTalk refused topapi/extcontact/${operation}: the follower is not a member of the org (${err.message})`,
        'FollowerNotFound',
      );
    }
    if (err instanceof PermanentRemoteError && err.remoteCode === INVALID_USER_ID) {
      throw new NotFoundRemoteError(`DingTalk external contact not found (${err.message})`);
    }
    throw err;
  }
}
