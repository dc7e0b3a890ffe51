import type { FakeGraphServices } from './context';
import { contactServices } from './contact-services';
import { renderContact, renderFolder } from './contact-render';
import type { ContactAccess, StoredContact } from './contact-store';
import { parseContactWrite } from './contact-validation';
import type { FakeUser } from './directory';

/**
 * The mailbox owner working in Outlook's People view: adds, edits and deletes contacts in a folder (the default
 * Contacts folder is 'contacts', or a folder by id or display name). Each change notifies and shows in delta like
 * any other. Results are rendered with immutable ids and every property, extended ones included.
 */

const OUTLOOK_VIEW = { immutableIds: true, query: { extended: 'all' as const } };

export class ContactControl {
  constructor(private readonly s: FakeGraphServices) {}

  private get store() {
    return contactServices(this.s).store;
  }

  userCreatesContact(user: string, folder: string, body: Record<string, unknown>): Record<string, unknown> {
    const owner = this.user(user);
    const write = this.parse(body);
    return this.render(this.store.create(owner.id, this.folderId(owner, folder), write));
  }

  userEditsContact(user: string, contactId: string, patch: Record<string, unknown>): Record<string, unknown> {
    const owner = this.user(user);
    const updated = this.store.update(owner.id, contactId, this.parse(patch));
    if (!updated) throw new Error(`no contact ${contactId}`);
    return this.render(updated);
  }

  userDeletesContact(user: string, contactId: string): boolean {
    return this.store.delete(this.user(user).id, contactId);
  }

  contactsIn(user: string, folder: string): Record<string, unknown>[] {
    const owner = this.user(user);
    return this.store
      .list(owner.id, this.folderId(owner, folder))
      .sort((a, b) => a.seq - b.seq)
      .map((c) => this.render(c));
  }

  /** Every folder of the mailbox, the default one first (marked isDefault, which Graph does not show). */
  contactFolders(user: string): Record<string, unknown>[] {
    return this.store
      .mailbox(this.user(user).id)
      .folders.map((f) => ({ ...renderFolder(f, 'all'), isDefault: f.isDefault }));
  }

  /** What API calls read or wrote in a folder (all folders when absent); control calls are not counted. */
  contactAccesses(user: string, folder?: string): ContactAccess[] {
    const owner = this.user(user);
    const id = folder === undefined ? undefined : this.folderId(owner, folder);
    return this.store.mailbox(owner.id).accesses.filter((a) => id === undefined || a.folderId === id);
  }

  contactPhoto(user: string, contactId: string): Buffer | undefined {
    return this.store.find(this.user(user).id, contactId)?.photo?.bytes;
  }

  expireContactDeltaTokens(user: string): void {
    contactServices(this.s).delta.expire(this.user(user).id);
  }

  private parse(body: Record<string, unknown>) {
    const parsed = parseContactWrite(body);
    if (!parsed.ok) throw new Error(`${parsed.error.code}: ${parsed.error.message}`);
    return parsed.value;
  }

  private render(c: StoredContact): Record<string, unknown> {
    return renderContact(c, OUTLOOK_VIEW);
  }

  private folderId(owner: FakeUser, folder: string): string {
    if (folder.toLowerCase() === 'contacts') return this.store.defaultFolder(owner.id).id;
    const found = this.store
      .mailbox(owner.id)
      .folders.find((f) => f.id === folder || f.displayName === folder);
    if (!found) throw new Error(`no contact folder ${folder}`);
    return found.id;
  }

  private user(idOrUpn: string): FakeUser {
    const u = this.s.directory.find(idOrUpn);
    if (!u) throw new Error(`no user ${idOrUpn}`);
    return u;
  }
}
