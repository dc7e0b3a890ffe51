import type { FakeGraphServices } from './context';
import type { FakeUser } from './directory';
import { parseMime } from './mail-mime';
import { renderMessage } from './mail-render';
import type { StoredMessage } from './mail-store';

/**
 * The mailbox owner and the outside world acting on mail: a message arrives (raw MIME, kept byte for byte for
 * $value), the user reads, flags, deletes or moves it in Outlook. Each change notifies and shows in delta like
 * any other. Results are rendered as Graph would with immutable ids and every property.
 */

export interface DeliverOptions {
  isRead?: boolean;
  flagged?: boolean;
  /** Delivery time (receivedDateTime); default now. */
  receivedAt?: Date | string;
}

const OUTLOOK_VIEW = {
  immutableIds: true,
  query: { attachments: true, extended: 'all' as const },
};

export class MailControl {
  constructor(private readonly s: FakeGraphServices) {}

  async deliver(
    user: string,
    folder: string,
    raw: Buffer | string,
    options: DeliverOptions = {},
  ): Promise<Record<string, unknown>> {
    const owner = this.user(user);
    const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
    const now = this.iso(this.s.clock.now());
    const write = await parseMime(bytes, now);
    write.isRead = options.isRead ?? false;
    if (options.flagged) write.flag = { flagStatus: 'flagged' };
    write.receivedDateTime =
      options.receivedAt !== undefined ? this.iso(new Date(options.receivedAt).getTime()) : now;
    write.sentDateTime ??= write.receivedDateTime;
    const message = this.s.mail.create(owner.id, this.folder(owner, folder), write, bytes);
    return this.render(message);
  }

  messages(user: string, folder: string): Record<string, unknown>[] {
    const owner = this.user(user);
    return this.s.mail
      .list(owner.id, this.folder(owner, folder))
      .sort((a, b) => b.receivedDateTime.localeCompare(a.receivedDateTime))
      .map((m) => this.render(m));
  }

  setRead(user: string, messageId: string, isRead: boolean): Record<string, unknown> {
    return this.render(this.must(this.s.mail.update(this.user(user).id, messageId, { isRead }), messageId));
  }

  setFlag(
    user: string,
    messageId: string,
    flagStatus: 'flagged' | 'complete' | 'notFlagged',
  ): Record<string, unknown> {
    return this.render(
      this.must(this.s.mail.update(this.user(user).id, messageId, { flag: { flagStatus } }), messageId),
    );
  }

  delete(user: string, messageId: string): boolean {
    return this.s.mail.delete(this.user(user).id, messageId);
  }

  move(user: string, messageId: string, folder: string): Record<string, unknown> {
    const owner = this.user(user);
    return this.render(
      this.must(this.s.mail.move(owner.id, messageId, this.folder(owner, folder)), messageId),
    );
  }

  private render(m: StoredMessage): Record<string, unknown> {
    return renderMessage(m, OUTLOOK_VIEW);
  }

  private must(m: StoredMessage | undefined, id: string): StoredMessage {
    if (!m) throw new Error(`no message ${id}`);
    return m;
  }

  private folder(owner: FakeUser, folder: string): string {
    const f = this.s.mail.folder(owner.id, folder);
    if (!f) throw new Error(`no mail folder ${folder}`);
    return f.id;
  }

  private user(idOrUpn: string): FakeUser {
    const u = this.s.directory.find(idOrUpn);
    if (!u) throw new Error(`no user ${idOrUpn}`);
    return u;
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
