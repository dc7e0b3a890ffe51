import { DeltaRounds, type DeltaLookup, type DeltaRound, type DeltaToken } from './delta-rounds';
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

export class TodoDeltaTracker {
  private readonly rounds = new DeltaRounds<TodoDeltaOptions, TodoDeltaRow>((userId) =>
    this.store.box(userId),
  );

  constructor(private readonly store: TodoStore) {}

  startRound(userId: string, options: TodoDeltaOptions, sinceSeq: number | undefined): string {
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
    return this.rounds.start(userId, options, rows);
  }

  round(id: string, userId: string): DeltaLookup<DeltaRound<TodoDeltaOptions, TodoDeltaRow>> {
    return this.rounds.round(id, userId);
  }

  token(value: string, userId: string): DeltaLookup<DeltaToken<TodoDeltaOptions>> {
    return this.rounds.token(value, userId);
  }

  issueToken(round: DeltaRound<TodoDeltaOptions, TodoDeltaRow>): string {
    return this.rounds.issueToken(round);
  }

  expire(userId: string): void {
    this.rounds.expire(userId);
  }
}
