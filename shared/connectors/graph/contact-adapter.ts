import { systemClock, type Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { ContactCard } from '../../sync/contact-card';
import {
  type ChangePage,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  type UserRef,
  CursorExpiredError,
  NotFoundRemoteError,
  PermanentRemoteError,
  TransientRemoteError,
  VersionConflictRemoteError,
} from '../../sync/types';
import { decodeContactCursor, encodeContactCursor, type ContactCursorState } from './contact-cursor';
import { OutlookContactFolders } from './contact-folder';
import {
  CONTACT_SELECT,
  CONTACT_STAMP_EXPAND,
  contactCreateBody,
  contactUpdateBody,
  isCompleteRow,
  toContactItem,
  versionOfContact,
  type GraphContact,
  type LabelTest,
} from './contact-mapper';
import { ifMatchFor } from './event-etag';
import type { GraphApi } from './http-client';
import { originKeyFilter } from './outlook-event-stamps';
import type { GraphCollection } from './wire-types';

/**
 * The Outlook side of contact sync (side "outlook", kind "contact", folder "dingtalk"): the contacts of the
 * product's own contact folder in the user's mailbox (contact-folder.ts), never the person's own Contacts folder.
 *
 * Changes come from the folder's contacts/delta ("contact: delta"), which takes $select only: our origin-key stamp
 * (an extended property) is not in listings, only in get and findByOriginKey. Versions are changeKeys, and updates
 * and deletes send If-Match (Graph answers 412 when the contact changed: VersionConflictRemoteError).
 *
 * Graph calls per operation: listChanges 1 per page (+1 per delta row that lacks properties, which Graph may send);
 * get 1; create 1; findByOriginKey 1; update 2 (read, then PATCH; 1 when nothing differs); delete 1. The folder's
 * id costs 1 lookup (+1 create the first time) per mailbox and process.
 */

export const OUTLOOK_CONTACT_FOLDER = 'dingtalk';

/** Whether an Outlook category is a DingTalk label (e.g. DingTalkContactLabels.isLabel). */
export type IsContactLabel = (category: string) => boolean | Promise<boolean>;

export interface OutlookContactAdapterOptions {
  api: GraphApi;
  /** The per-mailbox folder lookup; made here when absent. */
  folders?: OutlookContactFolders;
  /**
   * Which categories are DingTalk labels: only those are synced, and the others are kept on update. Without it no
   * category counts as a label, so labels do not sync but the person's categories are never touched.
   */
  isLabel?: IsContactLabel;
  /** Rows per delta page (Prefer: odata.maxpagesize; default 50). */
  pageSize?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Bounds the in-process memo of our creates; it is only a shortcut before a lookup by stamp. */
const MAX_REMEMBERED_CREATES = 10_000;

export class OutlookContactAdapter implements SideAdapter<ContactCard> {
  readonly side = 'outlook' as const;
  readonly kind = 'contact' as const;
  /** PATCH and DELETE send If-Match, which Graph itself refuses with 412 once the contact moved on. */
  readonly atomicConditionalWrites = ['update', 'delete'] as const;
  readonly folders: OutlookContactFolders;
  private readonly api: GraphApi;
  private readonly clock: Clock;
  private readonly pageSize: number;
  private readonly isLabel: IsContactLabel;
  /** originKey → contact id, for creates made by this process (shared with adapters made by withLabels). */
  private readonly createdHere: Map<string, string>;

  constructor(
    private readonly options: OutlookContactAdapterOptions,
    createdHere?: Map<string, string>,
  ) {
    this.api = options.api;
    this.folders = options.folders ?? new OutlookContactFolders(options.api);
    this.clock = options.clock ?? systemClock;
    this.pageSize = options.pageSize ?? 50;
    this.isLabel = options.isLabel ?? (() => false);
    this.createdHere = createdHere ?? new Map();
  }

  /** The same adapter (folder cache and all) with the label test the wiring knows only later. */
  withLabels(isLabel: IsContactLabel): OutlookContactAdapter {
    return new OutlookContactAdapter({ ...this.options, folders: this.folders, isLabel }, this.createdHere);
  }

  async listChanges(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<ContactCard>> {
    assertFolder(folder);
    const folderId = await this.folders.folderId(user);
    const state: ContactCursorState =
      cursor !== undefined ? decodeContactCursor(cursor, folderId) : { v: 1, folderId, full: true };
    const url = state.link ?? `${this.folderPath(user, folderId)}/contacts/delta?$select=${CONTACT_SELECT}`;
    let page: GraphCollection<GraphContact>;
    try {
      page = await this.api.get<GraphCollection<GraphContact>>(url, {
        mailbox: user.entraId,
        prefer: [`odata.maxpagesize=${this.pageSize}`],
        what: 'contact delta',
      });
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
      // The person deleted the folder: the next call makes it again, and a cursor of the old one is no use.
      this.folders.forget(user);
      if (cursor !== undefined)
        throw new CursorExpiredError(`the Outlook contact folder is gone: ${err.message}`);
      throw new TransientRemoteError(
        `the Outlook contact folder vanished while it was listed: ${err.message}`,
      );
    }
    const nextLink = page['@odata.nextLink'];
    const deltaLink = page['@odata.deltaLink'];
    if (!nextLink && !deltaLink)
      throw new TransientRemoteError('contact delta page without nextLink or deltaLink');

    const rows: (GraphContact | { id: string; deleted: true })[] = await Promise.all(
      page.value.map(async (row) => {
        if (row['@removed']) return { id: row.id, deleted: true as const };
        if (isCompleteRow(row)) return row;
        const full = await this.readContact(user, folderId, row.id);
        return full ?? { id: row.id, deleted: true as const };
      }),
    );
    const test = await this.labelTest(rows.flatMap((r) => ('deleted' in r ? [] : (r.categories ?? []))));
    const changes: RemoteChange<ContactCard>[] = rows.map((r) =>
      'deleted' in r ? r : toContactItem(r, test, () => this.nowIso()),
    );
    const next: ContactCursorState = {
      v: 1,
      folderId,
      link: nextLink ?? deltaLink,
      full: nextLink ? state.full : false,
    };
    return {
      changes,
      nextCursor: encodeContactCursor(next),
      fullListing: state.full,
      more: Boolean(nextLink),
    };
  }

  async get(user: UserRef, id: string): Promise<RemoteItem<ContactCard> | undefined> {
    const contact = await this.readContact(user, await this.folders.folderId(user), id);
    return contact ? this.toItem(contact) : undefined;
  }

  /**
   * A create carries our stamp as an extended property ("Create single-value extended property": it can be set
   * when the item is created). Graph has no idempotency key for contacts; a retry of a create this process made
   * returns that contact, and after a crash the engine asks findByOriginKey before it creates again.
   */
  async create(user: UserRef, projection: ContactCard, originKey: string): Promise<RemoteItem<ContactCard>> {
    try {
      return await this.createIn(user, await this.folders.folderId(user), projection, originKey);
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
      // The person deleted the folder since we looked it up: make it again, once.
      this.folders.forget(user);
      return this.createIn(user, await this.folders.folderId(user), projection, originKey);
    }
  }

  private async createIn(
    user: UserRef,
    folderId: string,
    projection: ContactCard,
    originKey: string,
  ): Promise<RemoteItem<ContactCard>> {
    const known = this.createdHere.get(originKey);
    if (known) {
      const existing = await this.readContact(user, folderId, known);
      if (existing) return this.toItem(existing);
    }
    const body = contactCreateBody(projection, originKey);
    let created: GraphContact;
    try {
      created = await this.api.post<GraphContact>(`${this.folderPath(user, folderId)}/contacts`, body, {
        mailbox: user.entraId,
        what: 'create contact',
      });
    } catch (err) {
      // The create may have happened without us hearing the answer (POST is not retried by the client).
      if (err instanceof TransientRemoteError && err.status !== 429) {
        const existing = await this.findByOriginKey(user, originKey).catch(() => undefined);
        if (existing) return existing;
      }
      throw err;
    }
    this.rememberCreate(originKey, created.id);
    // Graph's answer leaves extended properties out; the stamp we just wrote is what the contact holds.
    return this.toItem({ ...created, singleValueExtendedProperties: body.singleValueExtendedProperties });
  }

  async findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<ContactCard> | undefined> {
    const folderId = await this.folders.folderId(user);
    const query =
      `$filter=${encodeURIComponent(originKeyFilter(originKey))}&$select=${CONTACT_SELECT}` +
      `&$expand=${encodeURIComponent(CONTACT_STAMP_EXPAND)}&$top=2`;
    const page = await this.api.get<GraphCollection<GraphContact>>(
      `${this.folderPath(user, folderId)}/contacts?${query}`,
      { mailbox: user.entraId, what: 'find contact by origin key' },
    );
    const found = page.value[0];
    return found ? this.toItem(found) : undefined;
  }

  /**
   * One read (for the categories that are the person's own, the name as Outlook splits it, and the version), then
   * a PATCH with If-Match. Without an expectedVersion the PATCH is still conditioned on the version just read, so
   * an edit between the two is not overwritten with stale categories; that race is retried once.
   */
  async update(
    user: UserRef,
    id: string,
    projection: ContactCard,
    expectedVersion?: string,
  ): Promise<RemoteItem<ContactCard>> {
    const folderId = await this.folders.folderId(user);
    for (let attempt = 0; ; attempt++) {
      const current = await this.readContact(user, folderId, id);
      if (!current) throw new NotFoundRemoteError(`update contact: ${id} is gone`);
      const version = versionOfContact(current);
      if (expectedVersion && version !== expectedVersion) {
        throw new VersionConflictRemoteError(`update contact: ${id} changed since it was read`, version);
      }
      const test = await this.labelTest([...(current.categories ?? []), ...projection.labels]);
      const body = contactUpdateBody(projection, current, test);
      if (!body) return toContactItem(current, test, () => this.nowIso());
      try {
        const updated = await this.api.patch<GraphContact>(
          `${this.folderPath(user, folderId)}/contacts/${encodeURIComponent(id)}`,
          body,
          {
            mailbox: user.entraId,
            what: 'update contact',
            ifMatch: ifMatchFor(expectedVersion ?? version),
          },
        );
        return toContactItem(
          { ...updated, singleValueExtendedProperties: current.singleValueExtendedProperties },
          test,
          () => this.nowIso(),
        );
      } catch (err) {
        if (err instanceof VersionConflictRemoteError && !expectedVersion && attempt === 0) continue;
        throw err;
      }
    }
  }

  /** With expectedVersion, DELETE sends If-Match; a contact already gone counts as deleted. */
  async delete(user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    const folderId = await this.folders.folderId(user);
    try {
      await this.api.delete(`${this.folderPath(user, folderId)}/contacts/${encodeURIComponent(id)}`, {
        mailbox: user.entraId,
        what: 'delete contact',
        ifMatch: ifMatchFor(expectedVersion),
      });
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
    }
  }

  /** Through the folder, so a contact of any other folder reads as not found. */
  private async readContact(user: UserRef, folderId: string, id: string): Promise<GraphContact | undefined> {
    try {
      return await this.api.get<GraphContact>(
        `${this.folderPath(user, folderId)}/contacts/${encodeURIComponent(id)}` +
          `?$select=${CONTACT_SELECT}&$expand=${encodeURIComponent(CONTACT_STAMP_EXPAND)}`,
        { mailbox: user.entraId, what: 'get contact' },
      );
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  private async toItem(c: GraphContact): Promise<RemoteItem<ContactCard>> {
    return toContactItem(c, await this.labelTest(c.categories ?? []), () => this.nowIso());
  }

  /** The label test for these categories, asked once per distinct name. */
  private async labelTest(categories: string[]): Promise<LabelTest> {
    const names = [...new Set(categories.map((c) => c.trim()).filter(Boolean))];
    const answers = await Promise.all(names.map((n) => this.isLabel(n)));
    const labels = new Set(names.filter((_, i) => answers[i]));
    return (category) => labels.has(category.trim());
  }

  private rememberCreate(originKey: string, id: string): void {
    this.createdHere.set(originKey, id);
    if (this.createdHere.size > MAX_REMEMBERED_CREATES) {
      this.createdHere.delete(this.createdHere.keys().next().value!);
    }
  }

  private folderPath(user: UserRef, folderId: string): string {
    return `/users/${encodeURIComponent(user.entraId)}/contactFolders/${encodeURIComponent(folderId)}`;
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function assertFolder(folder: string): void {
  if (folder !== OUTLOOK_CONTACT_FOLDER) {
    throw new PermanentRemoteError(
      `Outlook contact sync covers the product's own contact folder ("${OUTLOOK_CONTACT_FOLDER}"), not "${folder}"`,
    );
  }
}
