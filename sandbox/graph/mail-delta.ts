import { DeltaRounds, type DeltaLookup, type DeltaRound, type DeltaToken } from './delta-rounds';
import type { MessageTest } from './mail-odata';
import type { MailStore, StoredMessage } from './mail-store';

/**
 * messages/delta rounds, one folder at a time ("Delta query is a per-folder operation"). A round starts from
 * nothing (every message in the folder, optionally limited by the first round's receivedDateTime filter) or from
 * a delta token (changes in the folder since its sequence number: messages that arrived or changed as rows,
 * messages deleted or moved out as @removed). Rows are fixed when the round's first page is asked for; the last
 * page hands out a new token. The token keeps the first request's options, as Graph's tokens encode them.
 * Tokens die when the mailbox's generation moves on (410 SyncStateNotFound).
 */

export type ChangeTypeOption = 'created' | 'updated' | 'deleted' | undefined;

/** What the first request asked for; carried by every later link of the chain. */
export interface MailDeltaOptions {
  folderId: string;
  /** The folder as the client spelt it in the path, for links. */
  folderKey: string;
  /** Raw $select / $expand of the first request. */
  select: string | null;
  expand: string | null;
  filter?: MessageTest;
  changeType: ChangeTypeOption;
}

export type MailDeltaRow = { removed: { immutableId: string; restId: string } } | { message: StoredMessage };

export class MailDeltaTracker {
  private readonly rounds = new DeltaRounds<MailDeltaOptions, MailDeltaRow>((userId) =>
    this.store.mailbox(userId),
  );

  constructor(private readonly store: MailStore) {}

  startRound(userId: string, options: MailDeltaOptions, sinceSeq: number | undefined): string {
    const rows =
      sinceSeq === undefined ? this.fullRows(userId, options) : this.changedRows(userId, options, sinceSeq);
    return this.rounds.start(userId, options, rows);
  }

  round(id: string, userId: string): DeltaLookup<DeltaRound<MailDeltaOptions, MailDeltaRow>> {
    return this.rounds.round(id, userId);
  }

  token(value: string, userId: string): DeltaLookup<DeltaToken<MailDeltaOptions>> {
    return this.rounds.token(value, userId);
  }

  issueToken(round: DeltaRound<MailDeltaOptions, MailDeltaRow>): string {
    return this.rounds.issueToken(round);
  }

  expire(userId: string): void {
    this.rounds.expire(userId);
  }

  private fullRows(userId: string, o: MailDeltaOptions): MailDeltaRow[] {
    if (o.changeType === 'updated' || o.changeType === 'deleted') return [];
    return this.store
      .list(userId, o.folderId)
      .filter((m) => !o.filter || o.filter(m))
      .sort((a, b) => b.receivedDateTime.localeCompare(a.receivedDateTime))
      .map((message) => ({ message }));
  }

  private changedRows(userId: string, o: MailDeltaOptions, since: number): MailDeltaRow[] {
    const box = this.store.mailbox(userId);
    const rows = new Map<string, MailDeltaRow>();
    const want = (type: 'created' | 'updated' | 'deleted') => !o.changeType || o.changeType === type;
    for (const t of box.tombstones) {
      if (t.seq <= since || t.folderId !== o.folderId || !want('deleted')) continue;
      rows.set(t.immutableId, { removed: { immutableId: t.immutableId, restId: t.restId } });
    }
    for (const m of this.store.list(userId, o.folderId)) {
      if (m.seq <= since || (o.filter && !o.filter(m))) continue;
      const type = m.arrivedSeq > since ? 'created' : 'updated';
      // A message that left and came back within the interval is a row again, not a removal.
      if (want(type)) rows.set(m.immutableId, { message: m });
      else rows.delete(m.immutableId);
    }
    return [...rows.values()];
  }
}
