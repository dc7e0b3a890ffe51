import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FetchMessageObject, FetchQueryObject, ImapFlow } from 'imapflow';
import { openContent, readWhole } from '../../mail/mail-bytes';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import {
  type MailEnvelope,
  type MailProjection,
  type MailStream,
  mailMatchKeys,
} from '../../sync/mail-message';
import {
  type ChangePage,
  CursorExpiredError,
  NotFoundRemoteError,
  PermanentRemoteError,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  TransientRemoteError,
  type UserRef,
  VersionConflictRemoteError,
} from '../../sync/types';
import type { ImapConnectionPool } from './connection-pool';
import { headerValue } from './header-decoding';
import {
  bitsOf,
  bitsOfFlags,
  FLAGGED,
  type FlagSnapshot,
  type MailCursor,
  SEEN,
  decodeMailCursor,
  encodeMailCursor,
  versionOfBits,
} from './mail-cursor';

/**
 * The DingTalk side of mail. DingTalk has no mail API: its mailboxes (an Alibaba Mail backend) are read and written
 * over IMAP with a per-mailbox app password. The server advertises only IMAP4rev1 IDLE XLIST UIDPLUS ID: no
 * CONDSTORE/QRESYNC (RFC 7162), no MOVE (RFC 6851), no custom keywords (PERMANENTFLAGS without \*), and SEARCH
 * refuses most criteria (go-imap#638, gitea#32504). So this adapter never sends SEARCH, ENABLE or MOVE: changes are
 * found with STATUS, UID FETCH and a flag snapshot diff (docs/imap.md), and our creates are found again by a header.
 *
 * Ids are `<UIDVALIDITY>:<UID>` of the configured folder (INBOX): a UID means nothing under another UIDVALIDITY
 * (RFC 3501 §2.3.1.1), so an id of an old UIDVALIDITY reads as gone and is never acted on.
 */

/** Our trace header: the server keeps no keywords, so a retried create finds its first attempt by this header. */
export const ORIGIN_HEADER = 'X-DingTalk-M365-Sync-Origin';

const DAY_MS = 86_400_000;
/**
 * One partial FETCH of a message read for a copy: few round trips for a 25 MB mail (13), little of it in memory
 * at a time.
 */
const DOWNLOAD_CHUNK_BYTES = 2 * 1024 * 1024;

export interface ImapMailAdapterOptions {
  pool: ImapConnectionPool;
  /** A first listing covers the messages received this many days back (INTERNALDATE). */
  lookBackDays: number;
  /** The newest tracked UIDs whose flags every poll scans (default 1,000). */
  flagWindow?: number;
  /** How often every tracked UID's flags are scanned (default 1 h); also whenever STATUS counts disagree. */
  fullScanEveryMs?: number;
  /**
   * How often the window scan runs (default 0: every poll). Above 0, a poll in between whose STATUS shows nothing
   * new costs STATUS alone; \Flagged changes, and read changes that cancel out in UNSEEN, then wait for the next
   * window scan.
   */
  windowScanEveryMs?: number;
  /** Most UIDs a cursor tracks (default 3,000; the oldest are dropped first and then no longer diffed). */
  maxTracked?: number;
  /** Messages per page of a first listing (default 100). */
  pageSize?: number;
  /** How many of the newest messages findByOriginKey reads the trace header of (default 500). */
  originScanDepth?: number;
  /** The folder ids refer to (default INBOX); a special use such as `\Sent` names the folder marked so. */
  folder?: string;
  /** The kind this folder syncs (default "mail"; "sentmail" for the Sent folder). */
  kind?: 'mail' | 'sentmail';
  clock: Clock;
  logger?: Logger;
}

/** What a poll found out about the adapter's own writes: UID → bits written, or DELETED. */
const DELETED = -1;
const MEMO_TTL_MS = 15 * 60_000;

interface Memo {
  bits: number;
  at: number;
}

const DETAIL_QUERY: FetchQueryObject = {
  uid: true,
  flags: true,
  envelope: true,
  internalDate: true,
  size: true,
  headers: ['subject', ORIGIN_HEADER.toLowerCase()],
};

export class ImapMailAdapter implements SideAdapter<MailProjection> {
  readonly side = 'dingtalk' as const;
  readonly kind: 'mail' | 'sentmail';
  private readonly pool: ImapConnectionPool;
  private readonly clock: Clock;
  private readonly lookBackMs: number;
  private readonly flagWindow: number;
  private readonly fullScanEveryMs: number;
  private readonly windowScanEveryMs: number;
  private readonly maxTracked: number;
  private readonly pageSize: number;
  private readonly originScanDepth: number;
  private readonly folder: string;
  private readonly logger?: Logger;
  /**
   * Our own writes, per `<mailbox>|<folder>|<UIDVALIDITY>`: the next poll diffs against a snapshot taken before
   * them, so it would report them as changes. A UID whose observed flags equal what we wrote (or that we deleted)
   * is taken into the snapshot silently; one whose flags differ from what we wrote is reported, even when they
   * equal the older snapshot. The memo is per process; a poll in another instance reports the write
   * instead, with a version equal to the one the engine stored in the link right after the write, which the engine
   * treats as its own echo. Both ways nothing is copied back.
   */
  private readonly ownWrites = new Map<string, Map<number, Memo>>();
  /**
   * What a single read (get) found, per `<mailbox>|<folder>|<UIDVALIDITY>`: the engine keeps it in the link, but the
   * cursor's snapshot may be older. Flags read as F and set back to what the snapshot holds would look unchanged to
   * the next diff, and the link would keep F for good; a UID whose flags differ from what was read after the
   * snapshot is therefore reported. It only ever adds a report, never hides one.
   */
  private readonly reads = new Map<string, Map<number, Memo>>();
  /** `<mailbox>|<special use>` → the folder's path there (pathOf). */
  private readonly specialPaths = new Map<string, string>();
  /** originKey → id for creates made by this process: findByOriginKey's first, cheap answer. */
  private readonly createdHere = new Map<string, string>();
  /** The last times given to a scan and to one of our writes: the two are ordered strictly (scanStamp, writeStamp). */
  private lastScanAt = 0;
  private lastWriteAt = 0;

  constructor(options: ImapMailAdapterOptions) {
    this.pool = options.pool;
    this.clock = options.clock;
    this.lookBackMs = options.lookBackDays * DAY_MS;
    this.flagWindow = options.flagWindow ?? 1000;
    this.fullScanEveryMs = options.fullScanEveryMs ?? 3_600_000;
    this.windowScanEveryMs = options.windowScanEveryMs ?? 0;
    this.maxTracked = Math.max(options.maxTracked ?? 3000, this.flagWindow);
    this.pageSize = options.pageSize ?? 100;
    this.originScanDepth = options.originScanDepth ?? 500;
    this.folder = options.folder ?? 'INBOX';
    this.kind = options.kind ?? 'mail';
    this.logger = options.logger;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Listing

  async listChanges(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<MailProjection>> {
    const from = cursor === undefined ? undefined : decodeMailCursor(cursor);
    return this.pool.withMailbox(user.email, `listing ${folder}`, async (client) => {
      const path = await this.pathOf(client, user, folder);
      if (!from) return this.startListing(client, user, path);
      if (from.kind === 'listing') return this.continueListing(client, user, path, from);
      return this.poll(client, user, path, from);
    });
  }

  /**
   * A first listing: STATUS for the counts, then the look-back window found by reading UID and INTERNALDATE of the
   * newest messages in pages by sequence number, newest first, until a page holds nothing inside the window (SEARCH
   * SINCE is refused or unreliable on the real server, warmbly's `sinceRefused`). INTERNALDATE mostly grows with
   * the UID; a message moved in from an old folder is older than its UID suggests and is filtered out by its date.
   */
  private async startListing(
    client: ImapFlow,
    user: UserRef,
    folder: string,
  ): Promise<ChangePage<MailProjection>> {
    const status = await this.status(client, folder);
    const box = await this.select(client, folder);
    const scannedAt = this.scanStamp();
    const cutoff = scannedAt - this.lookBackMs;
    const inWindow: number[] = [];
    const probe = 500;
    for (let hi = box.exists; hi >= 1; hi -= probe) {
      const lo = Math.max(1, hi - probe + 1);
      let found = 0;
      for (const m of await client.fetchAll(`${lo}:${hi}`, { uid: true, internalDate: true })) {
        if (dateMs(m.internalDate) >= cutoff) {
          inWindow.push(m.uid);
          found++;
        }
      }
      if (found === 0) break;
    }
    inWindow.sort((a, b) => a - b);
    const start: MailCursor = {
      kind: 'listing',
      uidValidity: String(box.uidValidity),
      uidNext: Math.max(status.uidNext, box.uidNext),
      messages: status.messages,
      unseen: status.unseen,
      fullScanAt: scannedAt,
      windowScanAt: scannedAt,
      snapshot: new Map(),
      pending: inWindow,
    };
    return this.listingPage(client, user, folder, start);
  }

  private async continueListing(
    client: ImapFlow,
    user: UserRef,
    folder: string,
    c: MailCursor & { kind: 'listing' },
  ): Promise<ChangePage<MailProjection>> {
    const box = await this.select(client, folder);
    if (String(box.uidValidity) !== c.uidValidity) throw uidValidityChanged(c.uidValidity, box.uidValidity);
    return this.listingPage(client, user, folder, c);
  }

  private async listingPage(
    client: ImapFlow,
    user: UserRef,
    folder: string,
    c: MailCursor & { kind: 'listing' },
  ): Promise<ChangePage<MailProjection>> {
    const page = c.pending.slice(0, this.pageSize);
    const rest = c.pending.slice(this.pageSize);
    const messages = page.length ? await client.fetchAll(page.join(','), DETAIL_QUERY, { uid: true }) : [];
    const snapshot = new Map(c.snapshot);
    const changes: RemoteChange<MailProjection>[] = [];
    for (const m of messages.sort((a, b) => a.uid - b.uid)) {
      snapshot.set(m.uid, bitsOfFlags(m.flags));
      changes.push(this.toItem(user, folder, c.uidValidity, m));
    }
    const { pending: _listed, kind: _kind, ...base } = { ...c, snapshot: this.prune(snapshot) };
    const next: MailCursor = rest.length
      ? { ...base, kind: 'listing', pending: rest }
      : { ...base, kind: 'delta' };
    return { changes, nextCursor: encodeMailCursor(next), fullListing: true, more: rest.length > 0 };
  }

  /**
   * A delta poll (docs/imap.md, "Change detection"):
   * 1. STATUS (UIDNEXT UIDVALIDITY MESSAGES UNSEEN). A new UIDVALIDITY ends the cursor: the engine relists and
   *    re-matches by Message-ID, and never deletes on that account (F5 of the research).
   * 2. `UID FETCH <window>:* (UID FLAGS)` over the newest `flagWindow` tracked UIDs; this also returns the UIDs that
   *    arrived since the last poll (`n:*` always includes the highest UID, RFC 3501 §6.4.8).
   * 3. When a full scan is due, or MESSAGES/UNSEEN differ from what the diff explains, the same for the older
   *    tracked UIDs.
   * 4. One `UID FETCH` of the details of what changed or arrived.
   */
  private async poll(
    client: ImapFlow,
    user: UserRef,
    folder: string,
    c: MailCursor & { kind: 'delta' },
  ): Promise<ChangePage<MailProjection>> {
    const now = this.scanStamp();
    // On a reused session with the folder selected, NOOP first: Dovecot answers STATUS of the selected folder from
    // the session's own view (RFC 3501 §6.3.10 warns against STATUS on the selected mailbox for this reason).
    const synced = client.mailbox !== false && client.mailbox.path === folder;
    if (synced) await client.noop();
    const status = await this.status(client, folder);
    if (status.uidValidity !== c.uidValidity) throw uidValidityChanged(c.uidValidity, status.uidValidity);
    const fullDue = now - c.fullScanAt >= this.fullScanEveryMs;
    const windowDue = now - c.windowScanAt >= this.windowScanEveryMs;
    const quiet = status.uidNext <= c.uidNext && status.messages === c.messages && status.unseen === c.unseen;
    if (quiet && !fullDue && !windowDue) {
      return { changes: [], nextCursor: encodeMailCursor(c), fullListing: false, more: false };
    }

    const box = await this.select(client, folder, synced);
    if (String(box.uidValidity) !== c.uidValidity) throw uidValidityChanged(c.uidValidity, box.uidValidity);
    const tracked = [...c.snapshot.keys()].sort((a, b) => a - b);
    const windowLow = this.windowLowOf(tracked, c.uidNext);
    const observed = new Map<number, number>();
    const newUids: number[] = [];
    if (box.exists > 0) {
      for (const m of await client.fetchAll(`${windowLow}:*`, { uid: true, flags: true }, { uid: true })) {
        if (m.uid < windowLow) continue; // n:* returns the highest UID even when it is below n
        observed.set(m.uid, bitsOfFlags(m.flags));
        if (m.uid >= c.uidNext && !c.snapshot.has(m.uid)) newUids.push(m.uid);
      }
    }

    // What the window diff explains of the STATUS counts; anything else happened below the window (or outside the
    // tracked UIDs), so scan the rest of the tracked UIDs.
    const explain = (scanned: Map<number, number>, low: number) => {
      let messages = c.messages;
      let unseen = c.unseen;
      for (const uid of tracked) {
        if (uid < low) continue;
        const before = c.snapshot.get(uid)!;
        const after = scanned.get(uid);
        if (after === undefined) {
          messages--;
          if (!(before & SEEN)) unseen--;
        } else if ((before & SEEN) !== (after & SEEN)) unseen += after & SEEN ? -1 : 1;
      }
      for (const uid of newUids) {
        messages++;
        if (!(scanned.get(uid)! & SEEN)) unseen++;
      }
      return { messages, unseen };
    };
    const explained = explain(observed, windowLow);
    const mismatch = explained.messages !== status.messages || explained.unseen !== status.unseen;
    let scannedFrom = windowLow;
    if ((fullDue || mismatch) && tracked.length && tracked[0] < windowLow) {
      this.logger?.debug('imap full flags scan', { mailbox: user.email, folder, due: fullDue, mismatch });
      for (const m of await client.fetchAll(
        `${tracked[0]}:${windowLow - 1}`,
        { uid: true, flags: true },
        { uid: true },
      )) {
        if (m.uid < windowLow) observed.set(m.uid, bitsOfFlags(m.flags));
      }
      scannedFrom = tracked[0];
    }

    const memo = this.memoOf(this.ownWrites, user, folder, c.uidValidity);
    const reads = this.memoOf(this.reads, user, folder, c.uidValidity);
    const snapshot: FlagSnapshot = new Map(c.snapshot);
    const deletions: RemoteChange<MailProjection>[] = [];
    const changedUids: number[] = [];
    for (const uid of tracked) {
      if (uid < scannedFrom) continue;
      const after = observed.get(uid);
      const own = memo.get(uid);
      if (after === undefined) {
        snapshot.delete(uid);
        if (own?.bits !== DELETED) deletions.push({ id: idOf(c.uidValidity, uid), deleted: true });
        memo.delete(uid);
        continue;
      }
      if (after !== c.snapshot.get(uid)) snapshot.set(uid, after);
      // What the UID last held as far as we know: our write, when the cursor's snapshot of it predates the write.
      // Diffing against the older snapshot alone would miss a person undoing our write (flags back to the old
      // value), and that change would never reach the other side.
      const scannedAt = uid >= windowLow ? c.windowScanAt : c.fullScanAt;
      const ours = own !== undefined && own.bits !== DELETED && own.at >= scannedAt;
      const read = reads.get(uid);
      const readOtherwise = read !== undefined && read.at >= scannedAt && read.bits !== after;
      if (after !== (ours ? own.bits : c.snapshot.get(uid)) || readOtherwise) changedUids.push(uid);
      // The memo is kept while cursors older than the write may still be polled from (a pull that fails stores no
      // cursor, and the next poll diffs against the same old snapshot again); it expires with MEMO_TTL_MS.
      if (!ours) memo.delete(uid);
    }
    const cutoff = now - this.lookBackMs;
    const details = [...changedUids, ...newUids];
    const items: RemoteChange<MailProjection>[] = [];
    let maxUid = c.uidNext - 1;
    if (details.length) {
      const fetched = await client.fetchAll(details.join(','), DETAIL_QUERY, { uid: true });
      for (const m of fetched.sort((a, b) => a.uid - b.uid)) {
        maxUid = Math.max(maxUid, m.uid);
        const isNew = !c.snapshot.has(m.uid);
        if (isNew) {
          // New mail older than the look-back window (moved in from an archive) is not synced, as a relist would
          // not list it either.
          if (dateMs(m.internalDate) < cutoff) continue;
          const bits = bitsOfFlags(m.flags);
          snapshot.set(m.uid, bits);
          const own = memo.get(m.uid);
          memo.delete(m.uid);
          if (own?.bits === bits) continue;
        } else {
          snapshot.set(m.uid, bitsOfFlags(m.flags));
        }
        items.push(this.toItem(user, folder, c.uidValidity, m));
      }
    }
    for (const uid of newUids) maxUid = Math.max(maxUid, uid);
    const next: MailCursor = {
      kind: 'delta',
      uidValidity: c.uidValidity,
      uidNext: Math.max(status.uidNext, maxUid + 1),
      messages: status.messages,
      unseen: status.unseen,
      // Every tracked UID was compared (the lower scan ran, or all of them lie in the window).
      fullScanAt: tracked.length === 0 || scannedFrom <= tracked[0] ? now : c.fullScanAt,
      windowScanAt: now,
      snapshot: this.prune(snapshot),
    };
    return {
      changes: [...items, ...deletions],
      nextCursor: encodeMailCursor(next),
      fullListing: false,
      more: false,
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Single items

  async get(user: UserRef, id: string): Promise<RemoteItem<MailProjection> | undefined> {
    const ref = parseId(id);
    if (!ref) return undefined;
    return this.pool.withMailbox(user.email, `reading ${this.folder} UID ${ref.uid}`, async (client) => {
      const folder = await this.pathOf(client, user, this.folder);
      const box = await this.select(client, folder);
      if (String(box.uidValidity) !== ref.uidValidity) return undefined;
      const m = await this.fetchDetails(client, ref.uid);
      if (!m) return undefined;
      this.memoOf(this.reads, user, folder, ref.uidValidity).set(m.uid, {
        bits: bitsOfFlags(m.flags),
        at: this.writeStamp(),
      });
      return this.toItem(user, folder, ref.uidValidity, m);
    });
  }

  /**
   * APPEND of the exact MIME with our trace header on top, \Seen/\Flagged as in the projection and INTERNALDATE =
   * the source's receivedAt (RFC 3501 §6.3.11), so the copy sorts by its real date. UIDPLUS's APPENDUID
   * (RFC 4315 §3) names the new message without another round trip.
   *
   * Crash safety: if the process dies after the server stored the message but before the engine recorded it, the
   * engine's intent replay calls findByOriginKey, which finds the header; a second APPEND is never made for it.
   */
  async create(
    user: UserRef,
    projection: MailProjection,
    originKey: string,
  ): Promise<RemoteItem<MailProjection>> {
    if (!projection.content) throw new PermanentRemoteError('a mail copy needs the source message content');
    if (/[\r\n]/.test(originKey)) throw new PermanentRemoteError('an origin key cannot hold a line break');
    // imapflow's APPEND sends the message as one literal whose length goes first, so it takes a Buffer: the one
    // copy of the message held here, read from the source's stream straight behind our trace header.
    const trace = Buffer.from(`${ORIGIN_HEADER}: ${originKey}\r\n`, 'latin1');
    const raw = stripOrigin(await readWhole(await openContent(projection.content), trace), trace.length);
    const flags = [...(projection.seen ? ['\\Seen'] : []), ...(projection.flagged ? ['\\Flagged'] : [])];
    const receivedAt = new Date(projection.envelope.receivedAt);
    return this.pool.withMailbox(user.email, `appending to ${this.folder}`, async (client) => {
      const folder = await this.pathOf(client, user, this.folder);
      const result = await client.append(folder, raw, flags, receivedAt);
      // false: the APPEND failed (imapflow does not throw for it). Whether the server kept the message is unknown;
      // the engine's intent stays, and its replay finds the message by its trace header if it was kept.
      if (result === false) throw new TransientRemoteError(`appending to ${folder} failed`);
      let uidValidity = result && result.uidValidity !== undefined ? String(result.uidValidity) : undefined;
      let uid = result ? result.uid : undefined;
      if (uid === undefined || uidValidity === undefined) {
        // Without an APPENDUID (a server without UIDPLUS) the header scan names the message.
        const found = await this.scanForOrigin(client, folder, originKey);
        if (!found) throw new PermanentRemoteError('the server stored the message but did not say where');
        uidValidity = found.uidValidity;
        uid = found.message.uid;
      }
      const bits = bitsOf(projection);
      this.remember(user, folder, uidValidity, uid, bits);
      const id = idOf(uidValidity, uid);
      this.createdHere.set(originKey, id);
      const envelope: MailEnvelope = { ...projection.envelope, size: raw.length };
      return {
        id,
        version: versionOfBits(bits),
        modifiedAt: envelope.receivedAt,
        projection: {
          seen: projection.seen,
          flagged: projection.flagged,
          envelope,
          content: this.contentOf(user, uidValidity, uid),
        },
        matchKeys: mailMatchKeys(envelope),
        originKey,
      };
    });
  }

  /**
   * The message a stale id named, after the server renumbered the folder (a new UIDVALIDITY, RFC 3501 §2.3.1.1):
   * the envelopes of the newest messages (as deep as the origin scan) are read, never SEARCH (refused or unreliable on
   * the real server), and the oldest one with one of the match keys is returned. An id of the current numbering that
   * is missing is really gone: undefined, without a scan. Lets an Outlook change pulled between the renumbering and
   * the DingTalk side's relist update the message instead of taking it for deleted.
   */
  async findRenumbered(
    user: UserRef,
    id: string,
    matchKeys: string[],
  ): Promise<RemoteItem<MailProjection> | undefined> {
    const ref = parseId(id);
    if (!ref || matchKeys.length === 0) return undefined;
    return this.pool.withMailbox(
      user.email,
      `finding a renumbered ${this.folder} message`,
      async (client) => {
        const folder = await this.pathOf(client, user, this.folder);
        const box = await this.select(client, folder);
        const uidValidity = String(box.uidValidity);
        if (uidValidity === ref.uidValidity) return undefined;
        const wanted = new Set(matchKeys);
        return (await this.newest(client, box.exists, DETAIL_QUERY))
          .map((m) => this.toItem(user, folder, uidValidity, m))
          .find((item) => item.matchKeys.some((key) => wanted.has(key)));
      },
    );
  }

  /**
   * Reads the trace header of the newest messages, never SEARCH HEADER: the real server refuses most SEARCH
   * criteria (go-gitea/gitea#32504, emersion/go-imap#638), and a refused or silently empty search would make a retried create append twice.
   */
  async findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<MailProjection> | undefined> {
    const known = this.createdHere.get(originKey);
    if (known) {
      const item = await this.get(user, known);
      if (item) return { ...item, originKey };
    }
    return this.pool.withMailbox(user.email, `looking for a copy in ${this.folder}`, async (client) => {
      const folder = await this.pathOf(client, user, this.folder);
      const found = await this.scanForOrigin(client, folder, originKey);
      if (!found) return undefined;
      const m = await this.fetchDetails(client, found.message.uid);
      return m ? { ...this.toItem(user, folder, found.uidValidity, m), originKey } : undefined;
    });
  }

  /**
   * Re-reads FLAGS right before the write (the server has no conditional STORE without CONDSTORE's UNCHANGEDSINCE),
   * then `UID STORE +FLAGS.SILENT` / `-FLAGS.SILENT` for just the two synced flags, leaving \Answered, \Draft and
   * anything else as they are.
   */
  async update(
    user: UserRef,
    id: string,
    projection: MailProjection,
    expectedVersion?: string,
  ): Promise<RemoteItem<MailProjection>> {
    const ref = parseId(id);
    if (!ref) throw new NotFoundRemoteError(`not an IMAP message id: ${id}`);
    return this.pool.withMailbox(
      user.email,
      `storing flags on ${this.folder} UID ${ref.uid}`,
      async (client) => {
        const folder = await this.pathOf(client, user, this.folder);
        const box = await this.select(client, folder);
        if (String(box.uidValidity) !== ref.uidValidity)
          throw new NotFoundRemoteError(`message ${id} is gone`);
        const m = await this.fetchDetails(client, ref.uid);
        if (!m) throw new NotFoundRemoteError(`message ${id} is gone`);
        const current = bitsOfFlags(m.flags);
        if (expectedVersion !== undefined && versionOfBits(current) !== expectedVersion) {
          throw new VersionConflictRemoteError(
            `message ${id} has flags ${versionOfBits(current)}, not ${expectedVersion}`,
            versionOfBits(current),
          );
        }
        const wanted = bitsOf(projection);
        const add = flagNames(wanted & ~current);
        const remove = flagNames(current & ~wanted);
        // Remember before storing: a poll that runs right after must not take our write for someone else's.
        this.remember(user, folder, ref.uidValidity, ref.uid, wanted);
        // imapflow answers a STORE that failed (NO, BAD, a connection dropped by BYE) with false instead of
        // throwing: taken for success, the engine would record a write that never happened.
        const stored =
          (!add.length ||
            (await client.messageFlagsAdd(String(ref.uid), add, { uid: true, silent: true }))) &&
          (!remove.length ||
            (await client.messageFlagsRemove(String(ref.uid), remove, { uid: true, silent: true })));
        if (!stored) throw new TransientRemoteError(`storing flags on ${folder} UID ${ref.uid} failed`);
        const flags = new Set([...(m.flags ?? [])].filter((f) => !remove.includes(f)).concat(add));
        return this.toItem(user, folder, ref.uidValidity, { ...m, flags });
      },
    );
  }

  /**
   * A soft delete: UID COPY to the Trash folder, \Deleted, UID EXPUNGE of that UID only (RFC 4315 §2.1, so other
   * messages someone marked \Deleted stay). This is the MOVE emulation of RFC 6851 §3.3, which imapflow performs
   * when MOVE is not advertised. The real server's COPY may already move (Alibaba's help page 2858235 calls COPY a move; unverified): a UID that
   * vanished half-way is fine.
   */
  async delete(user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    const ref = parseId(id);
    if (!ref) throw new NotFoundRemoteError(`not an IMAP message id: ${id}`);
    await this.pool.withMailbox(
      user.email,
      `moving ${this.folder} UID ${ref.uid} to Trash`,
      async (client) => {
        const folder = await this.pathOf(client, user, this.folder);
        const box = await this.select(client, folder);
        if (String(box.uidValidity) !== ref.uidValidity)
          throw new NotFoundRemoteError(`message ${id} is gone`);
        const rows = await client.fetchAll(String(ref.uid), { uid: true, flags: true }, { uid: true });
        const m = rows.find((r) => r.uid === ref.uid);
        if (!m) throw new NotFoundRemoteError(`message ${id} is gone`);
        if (expectedVersion !== undefined && versionOfBits(bitsOfFlags(m.flags)) !== expectedVersion) {
          throw new VersionConflictRemoteError(`message ${id} changed`, versionOfBits(bitsOfFlags(m.flags)));
        }
        const trash = await this.trashOf(client);
        this.remember(user, folder, ref.uidValidity, ref.uid, DELETED);
        if (trash === folder) throw new PermanentRemoteError('the Trash folder is the synced folder');
        if (!(await client.messageMove(String(ref.uid), trash, { uid: true }))) {
          throw new TransientRemoteError(`moving ${folder} UID ${ref.uid} to ${trash} failed`);
        }
      },
    );
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Helpers

  private async status(client: ImapFlow, folder: string) {
    const s = await client.status(folder, { uidNext: true, uidValidity: true, messages: true, unseen: true });
    // imapflow answers a STATUS that failed (the connection dropped, the server said BYE) with false instead of an
    // error: that is worth another try on a new connection, not a permanent refusal.
    if (s === false) throw new TransientRemoteError(`STATUS of ${folder} failed`);
    if (!s || s.uidValidity === undefined) {
      throw new PermanentRemoteError(`STATUS of ${folder} returned no UIDVALIDITY`);
    }
    return {
      uidValidity: String(s.uidValidity),
      // Some servers leave UIDNEXT out of STATUS (modern-email/defects#43); 0 makes the window scan find new mail.
      uidNext: s.uidNext ?? 0,
      messages: s.messages ?? 0,
      unseen: s.unseen ?? 0,
    };
  }

  /**
   * SELECT (read-write: the writes need it, and one mode saves the switch). A reused connection keeps the folder
   * selected, so later calls cost a NOOP instead. No CLOSE is ever sent: CLOSE expunges every \Deleted
   * message of a read-write folder (RFC 3501 §6.4.2), including ones a person only marked.
   */
  private async select(client: ImapFlow, folder: string, synced = false) {
    const current = client.mailbox;
    if (current && current.path === folder) {
      if (synced) return current;
      // A reused session still shows the folder as it was at its last command: Dovecot, for one, reports new,
      // expunged and re-flagged messages of other sessions only at a sync point, and a UID FETCH is not one. NOOP is
      // the poll RFC 3501 §6.1.2 names for exactly this, and costs one round trip instead of SELECT's.
      await client.noop();
      if (client.mailbox && client.mailbox.path === folder) return client.mailbox;
    }
    return client.mailboxOpen(folder);
  }

  private async fetchDetails(client: ImapFlow, uid: number): Promise<FetchMessageObject | undefined> {
    const rows = await client.fetchAll(String(uid), DETAIL_QUERY, { uid: true });
    return rows.find((r) => r.uid === uid);
  }

  private async scanForOrigin(
    client: ImapFlow,
    folder: string,
    originKey: string,
  ): Promise<{ uidValidity: string; message: FetchMessageObject } | undefined> {
    const box = await this.select(client, folder);
    const rows = await this.newest(client, box.exists, { uid: true, headers: [ORIGIN_HEADER.toLowerCase()] });
    const match = rows.find((r) => headerValue(r.headers, ORIGIN_HEADER) === originKey);
    return match ? { uidValidity: String(box.uidValidity), message: match } : undefined;
  }

  /** The newest `originScanDepth` messages of the selected folder (by sequence number), oldest first. */
  private async newest(
    client: ImapFlow,
    exists: number,
    query: FetchQueryObject,
  ): Promise<FetchMessageObject[]> {
    if (exists === 0) return [];
    const lo = Math.max(1, exists - this.originScanDepth + 1);
    return (await client.fetchAll(`${lo}:*`, query)).sort((a, b) => a.uid - b.uid);
  }

  /**
   * The folder's path in this mailbox. A name such as `\Sent` is a special use (RFC 6154), found once per mailbox
   * through LIST — imapflow reads the flags from XLIST where the server has no SPECIAL-USE, as DingTalk's has not
   * (emersion/go-imap#638) — because the real name differs by server and language (已发送, Sent, Sent Messages).
   */
  private async pathOf(client: ImapFlow, user: UserRef, folder: string): Promise<string> {
    if (!folder.startsWith('\\')) return folder;
    const key = specialKey(user, folder);
    const known = this.specialPaths.get(key);
    if (known) return known;
    const found = (await client.list()).find((f) => f.specialUse === folder);
    if (!found) throw new PermanentRemoteError(`the mailbox has no ${folder} folder`);
    this.specialPaths.set(key, found.path);
    return found.path;
  }

  private async trashOf(client: ImapFlow): Promise<string> {
    // imapflow reads special-use flags from XLIST when the server advertises it and no SPECIAL-USE (the real server's capabilities: emersion/go-imap#638),
    // and falls back to well-known names.
    const folders = await client.list();
    const trash = folders.find((f) => f.specialUse === '\\Trash');
    if (!trash) throw new PermanentRemoteError('the mailbox has no Trash folder; not deleting without one');
    return trash.path;
  }

  private toItem(
    user: UserRef,
    folder: string,
    uidValidity: string,
    m: FetchMessageObject,
  ): RemoteItem<MailProjection> {
    const bits = bitsOfFlags(m.flags);
    const env = m.envelope;
    const receivedAt = isoSeconds(dateMs(m.internalDate));
    const sent = env?.date ? dateMs(env.date) : NaN;
    const envelope: MailEnvelope = {
      messageId: env?.messageId || undefined,
      subject: headerValue(m.headers, 'subject') ?? env?.subject ?? '',
      from: env?.from?.[0]?.address?.toLowerCase() || undefined,
      sentAt: Number.isFinite(sent) ? isoSeconds(sent) : undefined,
      receivedAt,
      size: m.size,
    };
    const originKey = headerValue(m.headers, ORIGIN_HEADER);
    return {
      id: idOf(uidValidity, m.uid),
      version: versionOfBits(bits),
      // IMAP keeps no modification time for flags (that is CONDSTORE's MODSEQ, absent here). receivedAt is stable
      // across polls and get(); mail flags are merged field by field against the last synced values, so a
      // "newest wins" comparison only decides when both sides changed the same flag between two polls.
      modifiedAt: receivedAt,
      projection: {
        seen: (bits & SEEN) !== 0,
        flagged: (bits & FLAGGED) !== 0,
        envelope,
        content: this.contentOf(user, uidValidity, m.uid, folder),
      },
      matchKeys: mailMatchKeys(envelope),
      ...(originKey ? { originKey } : {}),
    };
  }

  /** `BODY.PEEK[]`: reading never sets \Seen (RFC 3501 §6.4.5), unlike `BODY[]`. */
  private contentOf(user: UserRef, uidValidity: string, uid: number, folder = this.folder) {
    return {
      stream: () => this.download(user, uidValidity, uid, folder),
      raw: () =>
        this.pool.withMailbox(user.email, `reading ${folder} UID ${uid}`, async (client) => {
          const box = await this.select(client, folder);
          if (String(box.uidValidity) !== uidValidity)
            throw new NotFoundRemoteError(`message ${uid} is gone`);
          const rows = await client.fetchAll(String(uid), { uid: true, source: true }, { uid: true });
          const m = rows.find((r) => r.uid === uid);
          if (!m?.source) throw new NotFoundRemoteError(`message ${uid} is gone`);
          return m.source;
        }),
    };
  }

  /**
   * The message as a stream: imapflow's download() reads `BODY.PEEK[]` in partial FETCHes of DOWNLOAD_CHUNK_BYTES,
   * so no more than a chunk of it is in this process at a time (a FETCH of the whole source collects it as one
   * literal, and a 25 MB mail then costs several copies of itself while it arrives). The mailbox's connection is
   * held until the stream ends or is destroyed; it resolves once the first chunk is in, so a missing message is
   * an error here rather than an empty stream.
   */
  private download(user: UserRef, uidValidity: string, uid: number, folder: string): Promise<MailStream> {
    const body = new PassThrough();
    return new Promise<MailStream>((resolve, reject) => {
      let opened = false;
      this.pool
        .withMailbox(user.email, `reading ${folder} UID ${uid}`, async (client) => {
          const box = await this.select(client, folder);
          if (String(box.uidValidity) !== uidValidity)
            throw new NotFoundRemoteError(`message ${uid} is gone`);
          const found = await client.download(String(uid), undefined, {
            uid: true,
            chunkSize: DOWNLOAD_CHUNK_BYTES,
          });
          if (!('content' in found) || !found.content)
            throw new NotFoundRemoteError(`message ${uid} is gone`);
          opened = true;
          resolve({ body, length: found.meta.expectedSize || undefined });
          await pipeline(found.content, body);
        })
        .catch((err: unknown) => {
          if (opened) body.destroy(err as Error);
          else reject(err);
        });
    });
  }

  /** The lowest UID of the flag window: the newest `flagWindow` tracked UIDs are diffed at every poll. */
  private windowLowOf(tracked: number[], uidNext: number): number {
    return tracked.length ? tracked[Math.max(0, tracked.length - this.flagWindow)] : Math.max(1, uidNext);
  }

  /**
   * The cursor with the flags this process wrote or read since the scan its snapshot holds (SideAdapter.
   * cursorWithOwnView), which the worker stores with the pull's commit. The memos that let the next diff see a person
   * undo our write live in this process only; once the stored snapshot holds what we wrote, a poll in another
   * process, or after a crash, sees that undo as the change it is. The unseen count moves with the seen bits, so a
   * quiet folder still reads as quiet. UIDs we deleted or appended are left to the diff (gone, or new).
   */
  cursorWithOwnView(user: UserRef, folder: string, cursor: string): string {
    // The memos are kept under the folder's path; a special-use folder this process never resolved has none.
    const path = folder.startsWith('\\') ? this.specialPaths.get(specialKey(user, folder)) : folder;
    let c: MailCursor;
    try {
      c = decodeMailCursor(cursor);
    } catch {
      return cursor;
    }
    if (path === undefined || c.kind !== 'delta') return cursor;
    const writes = this.memoOf(this.ownWrites, user, path, c.uidValidity);
    const reads = this.memoOf(this.reads, user, path, c.uidValidity);
    if (writes.size === 0 && reads.size === 0) return cursor;
    const windowLow = this.windowLowOf(
      [...c.snapshot.keys()].sort((a, b) => a - b),
      c.uidNext,
    );
    const snapshot: FlagSnapshot = new Map(c.snapshot);
    let unseen = c.unseen;
    let changed = false;
    for (const [uid, before] of c.snapshot) {
      const scannedAt = uid >= windowLow ? c.windowScanAt : c.fullScanAt;
      const latest = [writes.get(uid), reads.get(uid)]
        .filter((m): m is Memo => m !== undefined && m.bits !== DELETED && m.at >= scannedAt)
        .sort((a, b) => b.at - a.at)[0];
      if (!latest || latest.bits === before) continue;
      snapshot.set(uid, latest.bits);
      changed = true;
      if ((before & SEEN) !== (latest.bits & SEEN)) unseen += latest.bits & SEEN ? -1 : 1;
    }
    return changed ? encodeMailCursor({ ...c, snapshot, unseen }) : cursor;
  }

  private memoOf(
    memos: Map<string, Map<number, Memo>>,
    user: UserRef,
    folder: string,
    uidValidity: string,
  ): Map<number, Memo> {
    const key = `${user.email.toLowerCase()}|${folder}|${uidValidity}`;
    let memo = memos.get(key);
    if (!memo) memos.set(key, (memo = new Map()));
    const now = this.clock.now();
    for (const [uid, m] of memo) if (now - m.at > MEMO_TTL_MS) memo.delete(uid);
    return memo;
  }

  private remember(user: UserRef, folder: string, uidValidity: string, uid: number, bits: number): void {
    this.memoOf(this.ownWrites, user, folder, uidValidity).set(uid, { bits, at: this.writeStamp() });
    // Our write supersedes what was read before it: its echo is not a change.
    this.memoOf(this.reads, user, folder, uidValidity).delete(uid);
  }

  /**
   * The clock, with a scan and one of our writes never given the same time in this process. They often fall in one
   * millisecond; with equal times the memo of a superseded write looked newer than the scan that had already recorded
   * a person's later change, so a person setting the flags back to what we wrote was taken for our echo. Scans alone
   * keep the clock's time (the full-scan interval is measured from them).
   */
  private scanStamp(): number {
    const at = Math.max(this.clock.now(), this.lastWriteAt + 1);
    this.lastScanAt = Math.max(this.lastScanAt, at);
    return at;
  }

  private writeStamp(): number {
    const at = Math.max(this.clock.now(), this.lastScanAt + 1);
    this.lastWriteAt = Math.max(this.lastWriteAt, at);
    return at;
  }

  /** Keeps the cursor bounded: the oldest tracked UIDs are dropped (no longer diffed, never reported deleted). */
  private prune(snapshot: FlagSnapshot): FlagSnapshot {
    if (snapshot.size <= this.maxTracked) return snapshot;
    const keep = [...snapshot.keys()].sort((a, b) => a - b).slice(-this.maxTracked);
    return new Map(keep.map((u) => [u, snapshot.get(u)!]));
  }
}

function uidValidityChanged(before: string, now: unknown): CursorExpiredError {
  return new CursorExpiredError(`UIDVALIDITY changed from ${before} to ${String(now)}: relist and re-match`);
}

export function idOf(uidValidity: string, uid: number): string {
  return `${uidValidity}:${uid}`;
}

export function parseId(id: string): { uidValidity: string; uid: number } | undefined {
  const m = /^(\d+):(\d+)$/.exec(id);
  if (!m) return undefined;
  const uid = Number(m[2]);
  return uid > 0 ? { uidValidity: m[1], uid } : undefined;
}

function flagNames(bits: number): string[] {
  return [...(bits & SEEN ? ['\\Seen'] : []), ...(bits & FLAGGED ? ['\\Flagged'] : [])];
}

function dateMs(d: Date | string | undefined): number {
  if (d === undefined) return NaN;
  return d instanceof Date ? d.getTime() : Date.parse(d);
}

function isoSeconds(ms: number): string {
  return Number.isFinite(ms)
    ? new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
    : '';
}

/**
 * A message copied back and forth keeps one trace header, ours (the first `from` bytes): an older one would name
 * the wrong create. The message is changed in place, its body moved up over the lines taken out: a new Buffer
 * would be one more copy of a mail of up to 25 MB, held while it is appended. Only the header block is decoded.
 */
function stripOrigin(message: Buffer, from: number): Buffer {
  const raw = message.subarray(from);
  const head = raw.subarray(0, headerBlockEnd(raw)).toString('latin1');
  if (!/^x-dingtalk-m365-sync-origin:/im.test(head)) return message;
  const lines = head.split(/(?<=\n)/);
  const kept: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (/^x-dingtalk-m365-sync-origin:/i.test(line)) skipping = true;
    else if (!/^[ \t]/.test(line)) skipping = false;
    if (!skipping) kept.push(line);
  }
  const written = raw.write(kept.join(''), 0, 'latin1');
  raw.copyWithin(written, head.length);
  return message.subarray(0, from + raw.length - (head.length - written));
}

/** Where the first blank line (`\r?\n\r?\n`) starts, or the message's length when it has none. */
function headerBlockEnd(raw: Buffer): number {
  const found = [raw.indexOf('\n\n'), raw.indexOf('\n\r\n')].filter((i) => i >= 0);
  if (!found.length) return raw.length;
  const lineFeed = Math.min(...found);
  return lineFeed > 0 && raw[lineFeed - 1] === 0x0d ? lineFeed - 1 : lineFeed;
}

/** The key of a mailbox's special-use folder in `specialPaths`. */
const specialKey = (user: UserRef, folder: string) => `${user.email}|${folder}`;
