import { encodeMailboxName } from './utf7';

/**
 * The mail kept by the fake: accounts, their folders and messages (raw bytes, UID, flags, INTERNALDATE), in
 * memory. UIDs only grow and are never reused within one UIDVALIDITY (RFC 3501 §2.3.1.1).
 */

export interface StoredMessage {
  uid: number;
  flags: Set<string>;
  internalDate: number;
  raw: Buffer;
}

export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Spam';

export interface Folder {
  /** Display name (Chinese for the standard folders, like the real server). */
  name: string;
  /** The name on the wire, modified UTF-7. */
  wire: string;
  specialUse?: SpecialUse;
  /** English alias the control API accepts: Sent, Drafts, Trash, Junk. */
  alias?: string;
  uidValidity: number;
  uidNext: number;
  /** Ascending by UID. */
  messages: StoredMessage[];
  /** Counts every change to the folder, so a session can tell in O(1) that nothing changed since it looked. */
  version: number;
  subscribed: boolean;
}

export interface Account {
  email: string;
  password: string;
  folders: Folder[];
  logins: number;
}

/** The standard folders. No public capture of the real names exists; these follow Alibaba Mail's web client. */
const STANDARD_FOLDERS: Array<{ name: string; specialUse?: SpecialUse; alias?: string }> = [
  { name: 'INBOX' },
  { name: '已发送', specialUse: '\\Sent', alias: 'Sent' },
  { name: '草稿', specialUse: '\\Drafts', alias: 'Drafts' },
  { name: '已删除', specialUse: '\\Trash', alias: 'Trash' },
  { name: '垃圾邮件', specialUse: '\\Spam', alias: 'Junk' },
];

/** The real server shows UIDVALIDITY 2 on every folder (reference capture); new folders and rebuilds count on. */
const FIRST_UID_VALIDITY = 2;

export type ChangeListener = (account: Account, folder: Folder) => void;

export class MailStore {
  private readonly accounts = new Map<string, Account>();
  private readonly listeners = new Set<ChangeListener>();
  private lastUidValidity = FIRST_UID_VALIDITY;

  addAccount(email: string, password: string): Account {
    const existing = this.account(email);
    if (existing) {
      existing.password = password;
      return existing;
    }
    const account: Account = { email, password, folders: [], logins: 0 };
    for (const f of STANDARD_FOLDERS) {
      account.folders.push(this.newFolder(f.name, FIRST_UID_VALIDITY, f.specialUse, f.alias));
    }
    this.accounts.set(email.toLowerCase(), account);
    return account;
  }

  account(email: string): Account | undefined {
    return this.accounts.get(email.toLowerCase());
  }

  /** A folder by its wire name, as an IMAP client names it (INBOX in any case, RFC 3501 §5.1). */
  folderByWire(account: Account, wire: string): Folder | undefined {
    const name = wire.toUpperCase() === 'INBOX' ? 'INBOX' : wire;
    return account.folders.find((f) => f.wire === name);
  }

  /** A folder by wire name, display name or English alias (control API). */
  resolveFolder(account: Account, name: string): Folder | undefined {
    return (
      this.folderByWire(account, name) ??
      account.folders.find((f) => f.name === name || f.alias?.toLowerCase() === name.toLowerCase())
    );
  }

  createFolder(account: Account, wire: string, name: string): Folder {
    const folder = this.newFolder(name, ++this.lastUidValidity);
    folder.wire = wire;
    account.folders.push(folder);
    return folder;
  }

  deleteFolder(account: Account, folder: Folder): void {
    account.folders = account.folders.filter((f) => f !== folder);
    this.changed(account, folder);
  }

  append(
    account: Account,
    folder: Folder,
    raw: Buffer,
    flags: Iterable<string>,
    internalDate: number,
  ): StoredMessage {
    const message: StoredMessage = { uid: folder.uidNext++, flags: new Set(flags), internalDate, raw };
    folder.messages.push(message);
    this.changed(account, folder);
    return message;
  }

  /** Many messages in UID order, with one change notification for all of them. */
  appendMany(
    account: Account,
    folder: Folder,
    messages: Iterable<{ raw: Buffer; flags: Iterable<string>; internalDate: number }>,
  ): void {
    for (const m of messages) {
      folder.messages.push({
        uid: folder.uidNext++,
        flags: new Set(m.flags),
        internalDate: m.internalDate,
        raw: m.raw,
      });
    }
    this.changed(account, folder);
  }

  setFlags(account: Account, folder: Folder, message: StoredMessage, flags: Iterable<string>): void {
    message.flags = new Set(flags);
    this.changed(account, folder);
  }

  expunge(account: Account, folder: Folder, uids: Set<number>): number[] {
    const removed = folder.messages.filter((m) => uids.has(m.uid)).map((m) => m.uid);
    if (removed.length === 0) return [];
    folder.messages = folder.messages.filter((m) => !uids.has(m.uid));
    this.changed(account, folder);
    return removed;
  }

  /** A rebuild: new UIDVALIDITY, UIDs renumbered from 1 in the same order. */
  changeUidValidity(account: Account, folder: Folder): number {
    folder.uidValidity = this.lastUidValidity = Math.max(this.lastUidValidity, folder.uidValidity) + 1;
    folder.messages.forEach((m, i) => (m.uid = i + 1));
    folder.uidNext = folder.messages.length + 1;
    this.changed(account, folder);
    return folder.uidValidity;
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(account: Account, folder: Folder): void {
    folder.version++;
    for (const listener of [...this.listeners]) listener(account, folder);
  }

  private newFolder(name: string, uidValidity: number, specialUse?: SpecialUse, alias?: string): Folder {
    return {
      name,
      wire: encodeMailboxName(name),
      specialUse,
      alias,
      uidValidity,
      uidNext: 1,
      messages: [],
      version: 0,
      subscribed: true,
    };
  }
}

const SYSTEM_FLAGS = ['\\Answered', '\\Seen', '\\Deleted', '\\Draft', '\\Flagged'];

/** The permanent flags, spelled canonically; undefined for a keyword or unknown system flag (no `\*`). */
export function canonicalFlag(flag: string): string | undefined {
  return SYSTEM_FLAGS.find((f) => f.toLowerCase() === flag.toLowerCase());
}

export const PERMANENT_FLAGS = SYSTEM_FLAGS;
