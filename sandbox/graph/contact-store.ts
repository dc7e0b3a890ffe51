import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/platform/clock';
import { newChangeKey, newItemId, toImmutableId, toRestId } from './ids';
import { canonicalPropertyId } from './mail-store';

/**
 * The Outlook contacts of each mailbox. Every mailbox has its default Contacts folder (the person's own address
 * book, what /users/{id}/contacts addresses) and the folders created under it ("List contactFolders": the
 * collection is the default Contacts folder's children). Every write gives a new changeKey; a delete leaves a
 * tombstone; each change gets a sequence number per mailbox, which delta tokens remember, per folder. Reads and
 * writes made through the API are logged per folder, so a test can prove a folder was never touched.
 */

export interface ContactFolder {
  id: string;
  displayName: string;
  parentFolderId: string;
  isDefault: boolean;
  extended: Map<string, { id: string; value: string }>;
}

/** The contact's own properties, as validated (see contact-validation.ts); absent = never set. */
export type ContactFields = Record<string, unknown>;

export interface StoredContact {
  immutableId: string;
  mailbox: string;
  folderId: string;
  fields: ContactFields;
  extended: Map<string, { id: string; value: string }>;
  photo?: { bytes: Buffer; contentType: string };
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  seq: number;
  arrivedSeq: number;
}

export interface ContactTombstone {
  immutableId: string;
  folderId: string;
  seq: number;
}

export interface ContactAccess {
  folderId: string;
  method: string;
  path: string;
}

export interface ContactMailbox {
  userId: string;
  rootId: string;
  folders: ContactFolder[];
  contacts: Map<string, StoredContact>;
  tombstones: ContactTombstone[];
  accesses: ContactAccess[];
  seq: number;
  generation: number;
}

export type ContactChangeType = 'created' | 'updated' | 'deleted';

export interface ContactChange {
  mailbox: string;
  changeType: ContactChangeType;
  folderId: string;
  immutableId: string;
  changeKey: string;
}

export interface ContactWrite {
  fields?: ContactFields;
  singleValueExtendedProperties?: { id: string; value: string }[];
}

const folderId = () =>
  'AAMkADg3NzRmYjk0LTBlMzEtNDM4YS05ZjlkLTg5ZTNmMDU5Nzc2YwAuAAAAAA' +
  randomBytes(24).toString('base64url') +
  'AAA=';

export class ContactStore {
  private readonly mailboxes = new Map<string, ContactMailbox>();
  private readonly listeners: ((change: ContactChange) => void)[] = [];

  constructor(private readonly clock: Clock) {}

  onChange(listener: (change: ContactChange) => void): void {
    this.listeners.push(listener);
  }

  mailbox(userId: string): ContactMailbox {
    let box = this.mailboxes.get(userId);
    if (!box) {
      const rootId = folderId();
      box = {
        userId,
        rootId,
        folders: [
          {
            id: folderId(),
            displayName: 'Contacts',
            parentFolderId: rootId,
            isDefault: true,
            extended: new Map(),
          },
        ],
        contacts: new Map(),
        tombstones: [],
        accesses: [],
        seq: 0,
        generation: 1,
      };
      this.mailboxes.set(userId, box);
    }
    return box;
  }

  defaultFolder(userId: string): ContactFolder {
    return this.mailbox(userId).folders.find((f) => f.isDefault)!;
  }

  folder(userId: string, id: string): ContactFolder | undefined {
    return this.mailbox(userId).folders.find((f) => f.id === id);
  }

  /** Folders whose parent is the given one (default: the default Contacts folder, as "List contactFolders"). */
  childFolders(userId: string, parentId = this.defaultFolder(userId).id): ContactFolder[] {
    return this.mailbox(userId).folders.filter((f) => f.parentFolderId === parentId && !f.isDefault);
  }

  /** Exchange keeps sibling folder names unique, compared without regard to case. */
  siblingNamed(userId: string, parentId: string, name: string, except?: string): ContactFolder | undefined {
    const key = name.trim().toLowerCase();
    return this.mailbox(userId).folders.find(
      (f) => f.parentFolderId === parentId && f.id !== except && f.displayName.trim().toLowerCase() === key,
    );
  }

  createFolder(
    userId: string,
    parentId: string,
    displayName: string,
    extended: { id: string; value: string }[] = [],
  ): ContactFolder {
    const folder: ContactFolder = {
      id: folderId(),
      displayName,
      parentFolderId: parentId,
      isDefault: false,
      extended: new Map(
        extended.map((p) => [canonicalPropertyId(p.id), { id: p.id.trim(), value: p.value }]),
      ),
    };
    this.mailbox(userId).folders.push(folder);
    return folder;
  }

  renameFolder(userId: string, id: string, displayName: string): ContactFolder | undefined {
    const folder = this.folder(userId, id);
    if (folder) folder.displayName = displayName;
    return folder;
  }

  /** The folder, its subfolders and their contacts go (to Deleted Items on the real service; gone here). */
  deleteFolder(userId: string, id: string): boolean {
    const box = this.mailbox(userId);
    const folder = this.folder(userId, id);
    if (!folder || folder.isDefault) return false;
    for (const child of box.folders.filter((f) => f.parentFolderId === id))
      this.deleteFolder(userId, child.id);
    for (const c of this.list(userId, id)) this.delete(userId, c.immutableId);
    box.folders = box.folders.filter((f) => f.id !== id);
    return true;
  }

  create(userId: string, folderId: string, write: ContactWrite): StoredContact {
    const box = this.mailbox(userId);
    const now = this.iso();
    const contact: StoredContact = {
      immutableId: newItemId(),
      mailbox: userId,
      folderId,
      fields: {},
      extended: new Map(),
      createdDateTime: now,
      lastModifiedDateTime: now,
      changeKey: '',
      seq: 0,
      arrivedSeq: 0,
    };
    this.apply(contact, write);
    this.touch(box, contact);
    contact.arrivedSeq = contact.seq;
    box.contacts.set(contact.immutableId, contact);
    this.emit(contact, 'created');
    return contact;
  }

  /** By immutable or regular id (both spellings address the item). */
  find(userId: string, id: string): StoredContact | undefined {
    return this.mailbox(userId).contacts.get(toImmutableId(id));
  }

  list(userId: string, folderId?: string): StoredContact[] {
    return [...this.mailbox(userId).contacts.values()].filter((c) => !folderId || c.folderId === folderId);
  }

  update(userId: string, id: string, write: ContactWrite): StoredContact | undefined {
    const contact = this.find(userId, id);
    if (!contact) return undefined;
    this.apply(contact, write);
    this.touch(this.mailbox(userId), contact);
    this.emit(contact, 'updated');
    return contact;
  }

  setPhoto(
    userId: string,
    id: string,
    photo: { bytes: Buffer; contentType: string },
  ): StoredContact | undefined {
    const contact = this.find(userId, id);
    if (!contact) return undefined;
    contact.photo = photo;
    this.touch(this.mailbox(userId), contact);
    this.emit(contact, 'updated');
    return contact;
  }

  delete(userId: string, id: string): boolean {
    const box = this.mailbox(userId);
    const contact = this.find(userId, id);
    if (!contact) return false;
    box.contacts.delete(contact.immutableId);
    box.seq++;
    box.tombstones.push({ immutableId: contact.immutableId, folderId: contact.folderId, seq: box.seq });
    this.emit(contact, 'deleted');
    return true;
  }

  recordAccess(userId: string, access: ContactAccess): void {
    this.mailbox(userId).accesses.push(access);
  }

  private apply(contact: StoredContact, write: ContactWrite): void {
    for (const [name, value] of Object.entries(write.fields ?? {})) {
      if (value === null) delete contact.fields[name];
      else contact.fields[name] = value;
    }
    for (const p of write.singleValueExtendedProperties ?? [])
      contact.extended.set(canonicalPropertyId(p.id), { id: p.id.trim(), value: p.value });
  }

  private touch(box: ContactMailbox, contact: StoredContact): void {
    box.seq++;
    contact.seq = box.seq;
    contact.changeKey = newChangeKey();
    contact.lastModifiedDateTime = this.iso();
  }

  private emit(contact: StoredContact, changeType: ContactChangeType): void {
    const change: ContactChange = {
      mailbox: contact.mailbox,
      changeType,
      folderId: contact.folderId,
      immutableId: contact.immutableId,
      changeKey: contact.changeKey,
    };
    for (const l of this.listeners) l(change);
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

export const contactId = (c: StoredContact, immutableIds: boolean) =>
  immutableIds ? c.immutableId : toRestId(c.immutableId);
