import { DeltaRounds, type DeltaLookup, type DeltaRound, type DeltaToken } from './delta-rounds';
import type { ContactStore, StoredContact } from './contact-store';

/**
 * contacts/delta rounds, one contact folder at a time (GET /users/{id}/contactFolders/{id}/contacts/delta). A
 * round starts from nothing (every contact in the folder) or from a delta token (contacts created or changed in
 * the folder since its sequence number as rows, deleted ones as @removed). Rows are fixed when the round's first
 * page is asked for; the last page hands out a new token, which keeps the first request's $select. Tokens die
 * when the mailbox's generation moves on (410 SyncStateNotFound), as Outlook's do when its token cache drops them.
 */

export interface ContactDeltaOptions {
  folderId: string;
  select: string | null;
}

export type ContactDeltaRow = { removed: string } | { contact: StoredContact };

export class ContactDeltaTracker {
  private readonly rounds = new DeltaRounds<ContactDeltaOptions, ContactDeltaRow>((userId) =>
    this.store.mailbox(userId),
  );

  constructor(private readonly store: ContactStore) {}

  startRound(userId: string, options: ContactDeltaOptions, sinceSeq: number | undefined): string {
    const rows: ContactDeltaRow[] =
      sinceSeq === undefined
        ? this.store
            .list(userId, options.folderId)
            .sort((a, b) => a.seq - b.seq)
            .map((contact) => ({ contact }))
        : this.changedRows(userId, options.folderId, sinceSeq);
    return this.rounds.start(userId, options, rows);
  }

  round(id: string, userId: string): DeltaLookup<DeltaRound<ContactDeltaOptions, ContactDeltaRow>> {
    return this.rounds.round(id, userId);
  }

  token(value: string, userId: string): DeltaLookup<DeltaToken<ContactDeltaOptions>> {
    return this.rounds.token(value, userId);
  }

  issueToken(round: DeltaRound<ContactDeltaOptions, ContactDeltaRow>): string {
    return this.rounds.issueToken(round);
  }

  expire(userId: string): void {
    this.rounds.expire(userId);
  }

  private changedRows(userId: string, folderId: string, since: number): ContactDeltaRow[] {
    const rows = new Map<string, ContactDeltaRow>();
    for (const t of this.store.mailbox(userId).tombstones) {
      if (t.seq > since && t.folderId === folderId) rows.set(t.immutableId, { removed: t.immutableId });
    }
    for (const c of this.store.list(userId, folderId)) {
      if (c.seq > since) rows.set(c.immutableId, { contact: c });
    }
    return [...rows.values()];
  }
}
