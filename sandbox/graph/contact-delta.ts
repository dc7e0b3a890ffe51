import { newOpaqueToken } from './ids';
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

interface Round {
  userId: string;
  options: ContactDeltaOptions;
  rows: ContactDeltaRow[];
  seq: number;
  generation: number;
}

interface Token {
  userId: string;
  options: ContactDeltaOptions;
  seq: number;
  generation: number;
}

export type ContactDeltaLookup<T> =
  { ok: true; value: T } | { ok: false; generation: number; highest: number };

export class ContactDeltaTracker {
  private readonly rounds = new Map<string, Round>();
  private readonly tokens = new Map<string, Token>();

  constructor(private readonly store: ContactStore) {}

  startRound(userId: string, options: ContactDeltaOptions, sinceSeq: number | undefined): string {
    const box = this.store.mailbox(userId);
    const rows: ContactDeltaRow[] =
      sinceSeq === undefined
        ? this.store
            .list(userId, options.folderId)
            .sort((a, b) => a.seq - b.seq)
            .map((contact) => ({ contact }))
        : this.changedRows(userId, options.folderId, sinceSeq);
    const id = newOpaqueToken();
    this.rounds.set(id, { userId, options, rows, seq: box.seq, generation: box.generation });
    return id;
  }

  round(id: string, userId: string): ContactDeltaLookup<Round> {
    return this.check(this.rounds.get(id), userId);
  }

  token(value: string, userId: string): ContactDeltaLookup<Token> {
    return this.check(this.tokens.get(value), userId);
  }

  issueToken(round: Round): string {
    const token = newOpaqueToken();
    this.tokens.set(token, {
      userId: round.userId,
      options: round.options,
      seq: round.seq,
      generation: round.generation,
    });
    return token;
  }

  expire(userId: string): void {
    this.store.mailbox(userId).generation++;
  }

  private check<T extends { userId: string; generation: number }>(
    found: T | undefined,
    userId: string,
  ): ContactDeltaLookup<T> {
    const box = this.store.mailbox(userId);
    if (!found || found.userId !== userId || found.generation !== box.generation)
      return { ok: false, generation: found?.generation ?? 0, highest: box.generation };
    return { ok: true, value: found };
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
