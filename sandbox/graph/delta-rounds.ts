import { newOpaqueToken } from './ids';

/**
 * The bookkeeping every per-folder delta of the fake shares (mail, To Do, contacts): a round's rows are fixed when
 * it starts, its last page hands out a token that keeps the first request's options (Graph's tokens encode the
 * query), and rounds and tokens die when the owner's generation moves on (410 SyncStateNotFound). What rows a round
 * holds is each tracker's own business.
 */

/** Where a user's change sequence and token generation live, in each store. */
export interface DeltaBox {
  seq: number;
  generation: number;
}

export interface DeltaRound<O, R> {
  userId: string;
  options: O;
  rows: R[];
  seq: number;
  generation: number;
}

export interface DeltaToken<O> {
  userId: string;
  options: O;
  seq: number;
  generation: number;
}

export type DeltaLookup<T> = { ok: true; value: T } | { ok: false; generation: number; highest: number };

export class DeltaRounds<O, R> {
  private readonly rounds = new Map<string, DeltaRound<O, R>>();
  private readonly tokens = new Map<string, DeltaToken<O>>();

  constructor(private readonly boxOf: (userId: string) => DeltaBox) {}

  start(userId: string, options: O, rows: R[]): string {
    const box = this.boxOf(userId);
    const id = newOpaqueToken();
    this.rounds.set(id, { userId, options, rows, seq: box.seq, generation: box.generation });
    return id;
  }

  round(id: string, userId: string): DeltaLookup<DeltaRound<O, R>> {
    return this.check(this.rounds.get(id), userId);
  }

  token(value: string, userId: string): DeltaLookup<DeltaToken<O>> {
    return this.check(this.tokens.get(value), userId);
  }

  issueToken(round: DeltaRound<O, R>): string {
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
    this.boxOf(userId).generation++;
  }

  private check<T extends { userId: string; generation: number }>(
    found: T | undefined,
    userId: string,
  ): DeltaLookup<T> {
    const box = this.boxOf(userId);
    if (!found || found.userId !== userId || found.generation !== box.generation)
      return { ok: false, generation: found?.generation ?? 0, highest: box.generation };
    return { ok: true, value: found };
  }
}
