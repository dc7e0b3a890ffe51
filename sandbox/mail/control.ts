import type { Clock } from '../../shared/platform/clock';
import type { CommandLog, CommandRecord } from './command-log';
import type { MailFaults } from './faults';
import { canonicalFlag, type Account, type Folder, type MailStore } from './store';

/**
 * The in-process control API for tests and the demo: mailboxes, mail as if it arrived or the person acted in
 * webmail, the commands each session sent, and fault injection. Folder arguments take the wire name, the display
 * name, or Sent / Drafts / Trash / Junk.
 */

export interface MessageView {
  uid: number;
  flags: string[];
  internalDate: number;
  raw: Buffer;
}

export interface FolderView {
  name: string;
  wireName: string;
  specialUse?: string;
  uidValidity: number;
  uidNext: number;
  messages: number;
}

export class FakeMailControl {
  constructor(
    private readonly store: MailStore,
    private readonly log: CommandLog,
    private readonly clock: Clock,
    readonly faults: MailFaults,
  ) {}

  addMailbox(email: string, password: string): void {
    this.store.addAccount(email, password);
  }

  setPassword(email: string, password: string): void {
    this.account(email).password = password;
  }

  /** Mail arriving (or the person filing it): it gets the next UID of the folder. */
  deliver(
    email: string,
    folder: string,
    raw: Buffer | string,
    options: { flags?: string[]; internalDate?: number | Date } = {},
  ): { uid: number; uidValidity: number } {
    const account = this.account(email);
    const f = this.folder(account, folder);
    const date = options.internalDate instanceof Date ? options.internalDate.getTime() : options.internalDate;
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    const message = this.store.append(
      account,
      f,
      bytes,
      flags(options.flags ?? []),
      date ?? this.clock.now(),
    );
    return { uid: message.uid, uidValidity: f.uidValidity };
  }

  /**
   * A mailbox with years of mail in one step: `count` messages in UID order, each made by `message(i)`. Sessions
   * that have the folder open learn of them at once, as of one delivery.
   */
  deliverMany(
    email: string,
    folder: string,
    count: number,
    message: (i: number) => { raw: Buffer; internalDate: number; flags?: string[] },
  ): void {
    const account = this.account(email);
    const f = this.folder(account, folder);
    const items = function* () {
      for (let i = 0; i < count; i++) {
        const m = message(i);
        yield { raw: m.raw, internalDate: m.internalDate, flags: flags(m.flags ?? []) };
      }
    };
    this.store.appendMany(account, f, items());
  }

  messages(email: string, folder: string): MessageView[] {
    return this.folder(this.account(email), folder).messages.map((m) => ({
      uid: m.uid,
      flags: [...m.flags],
      internalDate: m.internalDate,
      raw: m.raw,
    }));
  }

  /** The person changes flags (reads, flags, deletes) in webmail. */
  setFlags(email: string, folder: string, uid: number, newFlags: string[]): void {
    const account = this.account(email);
    const f = this.folder(account, folder);
    this.store.setFlags(account, f, this.message(f, uid), flags(newFlags));
  }

  /** The message is gone from the folder (deleted for good, or moved by webmail). */
  expunge(email: string, folder: string, uid: number): void {
    const account = this.account(email);
    const f = this.folder(account, folder);
    this.message(f, uid);
    this.store.expunge(account, f, new Set([uid]));
  }

  /** A rebuild of the folder: new UIDVALIDITY, UIDs renumbered from 1. Sessions with it open get BYE. */
  changeUidValidity(email: string, folder: string): number {
    const account = this.account(email);
    return this.store.changeUidValidity(account, this.folder(account, folder));
  }

  folders(email: string): FolderView[] {
    return this.account(email).folders.map((f) => ({
      name: f.name,
      wireName: f.wire,
      specialUse: f.specialUse,
      uidValidity: f.uidValidity,
      uidNext: f.uidNext,
      messages: f.messages.length,
    }));
  }

  /** Successful LOGINs so far. */
  loginCount(email: string): number {
    return this.store.account(email)?.logins ?? 0;
  }

  /** Commands received, oldest first, optionally of one mailbox or one session. */
  commands(filter: { email?: string; session?: number } = {}): CommandRecord[] {
    return this.log.list(filter);
  }

  clearCommands(): void {
    this.log.clear();
  }

  private account(email: string): Account {
    const account = this.store.account(email);
    if (!account) throw new Error(`no mailbox ${email}`);
    return account;
  }

  private folder(account: Account, name: string): Folder {
    const folder = this.store.resolveFolder(account, name);
    if (!folder) throw new Error(`no folder ${name} in ${account.email}`);
    return folder;
  }

  private message(folder: Folder, uid: number): Folder['messages'][number] {
    const message = folder.messages.find((m) => m.uid === uid);
    if (!message) throw new Error(`no message with UID ${uid} in ${folder.name}`);
    return message;
  }
}

function flags(names: string[]): string[] {
  return names.map((name) => {
    const flag = canonicalFlag(name);
    if (!flag) throw new Error(`${name} is not a permanent flag (the server has no keywords)`);
    return flag;
  });
}
