import { newOpaqueToken } from './ids';
import type { StoredTodoTask, TodoStore } from './todo-store';

/**
 * todoTask delta rounds, one list at a time (GET /users/{id}/todo/lists/{listId}/tasks/delta, graph.md §3). A
 * round starts from nothing (every task of the list) or from a delta token (tasks created or changed since as
 * rows, deleted ones as @removed). Rows are fixed when the round starts; the last page hands out a new token,
 * which keeps the first request's $select/$expand/$top as Graph's tokens encode the query. Tokens die when the
 * user's generation moves on (410 SyncStateNotFound), and a token for another list is refused the same way.
 */

export interface TodoDeltaOptions {
  listId: string;
  select: string | null;
  expand: string | null;
  top?: number;
}

export type TodoDeltaRow = { removed: string } | { task: StoredTodoTask };

export interface TodoRound {
  userId: string;
  options: TodoDeltaOptions;
  rows: TodoDeltaRow[];
  seq: number;
  generation: number;
}

interface Token {
  userId: string;
  options: TodoDeltaOptions;
  seq: number;
  generation: number;
}

export type Lookup<T> = { ok: true; value: T } | { ok: false; generation: number; highest: number };

export class TodoDeltaTracker {
  private readonly rounds = new Map<string, TodoRound>();
  private readonly tokens = new Map<string, Token>();

  constructor(private readonly store: TodoStore) {}

  startRound(userId: string, options: TodoDeltaOptions, sinceSeq: number | undefined): string {
    const box = this.store.box(userId);
    let rows: TodoDeltaRow[];
    if (sinceSeq === undefined) {
      rows = this.store
        .tasks(userId, options.listId)
        .sort((a, b) => a.createdSeq - b.createdSeq)
        .map((task) => ({ task }));
    } else {
      const changed = this.store.changedSince(userId, options.listId, sinceSeq);
      rows = [
        ...changed.tasks.sort((a, b) => a.seq - b.seq).map((task) => ({ task })),
        ...changed.removed.map((removed) => ({ removed })),
      ];
    }
    const id = newOpaqueToken();
    this.rounds.set(id, { userId, options, rows, seq: box.seq, generation: box.generation });
    return id;
  }

  round(id: string, userId: string): Lookup<TodoRound> {
    return this.check(this.rounds.get(id), userId);
  }

  token(value: string, userId: string): Lookup<Token> {
    return this.check(this.tokens.get(value), userId);
  }

  issueToken(round: TodoRound): string {
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
    this.store.box(userId).generation++;
  }

  private check<T extends { userId: string; generation: number }>(
    found: T | undefined,
    userId: string,
  ): Lookup<T> {
    const box = this.store.box(userId);
    if (!found || found.userId !== userId || found.generation !== box.generation)
      return { ok: false, generation: found?.generation ?? 0, highest: box.generation };
    return { ok: true, value: found };
  }
}
