import type { CalendarStore, Instance } from './calendar-store';
import { newOpaqueToken, toImmutableId } from './ids';

/**
 * calendarView/delta rounds. A round starts from nothing (every instance in the window) or from a delta token
 * (changes since its sequence number). Its rows are fixed when the round's first page is asked for; pages are
 * then served from that snapshot by skip tokens, and the last page hands out a new delta token.
 *
 * Changes since a token, per the event-delta doc: instances in the window that changed come as full rows;
 * deleted items, and items that changed but are outside the window, come as @removed (reason "deleted").
 * Tokens die when the mailbox's generation moves on (410 SyncStateNotFound).
 */

export interface DeltaWindow {
  start: number;
  end: number;
  /** As the client sent them, to rebuild the Location of a 410. */
  startRaw: string;
  endRaw: string;
}

export type DeltaRow = { removedId: string } | { instance: Instance };

interface DeltaToken {
  userId: string;
  window: DeltaWindow;
  seq: number;
  generation: number;
}

interface Round {
  userId: string;
  window: DeltaWindow;
  rows: DeltaRow[];
  seq: number;
  generation: number;
}

export type DeltaLookup<T> =
  { ok: true; value: T } | { ok: false; generation: number; highest: number; window?: DeltaWindow };

export class DeltaTracker {
  private readonly tokens = new Map<string, DeltaToken>();
  private readonly rounds = new Map<string, Round>();

  constructor(private readonly store: CalendarStore) {}

  /** Starts a round; returns its id, used in skip tokens as "<id>~<offset>". */
  startRound(userId: string, window: DeltaWindow, sinceSeq: number | undefined): string {
    const box = this.store.mailbox(userId);
    const rows =
      sinceSeq === undefined ? this.fullRows(userId, window) : this.changedRows(userId, window, sinceSeq);
    const id = newOpaqueToken();
    this.rounds.set(id, { userId, window, rows, seq: box.seq, generation: box.generation });
    return id;
  }

  round(id: string, userId: string): DeltaLookup<Round> {
    const round = this.rounds.get(id);
    const box = this.store.mailbox(userId);
    if (!round || round.userId !== userId || round.generation !== box.generation) {
      return {
        ok: false,
        generation: round?.generation ?? 0,
        highest: box.generation,
        window: round?.window,
      };
    }
    return { ok: true, value: round };
  }

  issueToken(round: Round): string {
    const token = newOpaqueToken();
    this.tokens.set(token, {
      userId: round.userId,
      window: round.window,
      seq: round.seq,
      generation: round.generation,
    });
    return token;
  }

  token(value: string, userId: string): DeltaLookup<DeltaToken> {
    const token = this.tokens.get(value);
    const box = this.store.mailbox(userId);
    if (!token || token.userId !== userId || token.generation !== box.generation) {
      return {
        ok: false,
        generation: token?.generation ?? 0,
        highest: box.generation,
        window: token?.window,
      };
    }
    return { ok: true, value: token };
  }

  /** Every outstanding token and skip token of the mailbox stops working (Graph's cache eviction). */
  expire(userId: string): void {
    this.store.mailbox(userId).generation++;
  }

  private fullRows(userId: string, window: DeltaWindow): DeltaRow[] {
    return this.store.instancesIn(userId, window.start, window.end).map((instance) => ({ instance }));
  }

  private changedRows(userId: string, window: DeltaWindow, since: number): DeltaRow[] {
    const box = this.store.mailbox(userId);
    const inWindow = new Map(this.store.instancesIn(userId, window.start, window.end).map((i) => [i.id, i]));
    const rows = new Map<string, DeltaRow>();
    const removed = (id: string) => {
      if (!rows.has(id)) rows.set(id, { removedId: toImmutableId(id) });
    };
    for (const e of box.events.values()) {
      if (e.seq <= since) continue;
      if (e.type === 'seriesMaster') {
        const current = this.store.seriesInstances(e, window.start, window.end);
        for (const i of current) rows.set(i.id, { instance: i });
        const currentIds = new Set(current.map((i) => i.id));
        for (const id of e.knownInstanceIds) if (!currentIds.has(id)) removed(id);
        continue;
      }
      const instance = inWindow.get(e.id);
      if (instance) rows.set(e.id, { instance });
      else removed(e.id);
    }
    for (const t of box.tombstones) {
      if (t.seq <= since) continue;
      removed(t.id);
      for (const id of t.instanceIds) removed(id);
    }
    return [...rows.values()];
  }
}
