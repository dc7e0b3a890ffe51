import type { UserRef } from '../../sync/types';
import type { GraphApi } from './http-client';
import type { GraphTodoTaskList } from './todo-mapper';
import type { GraphCollection } from './wire-types';

/**
 * The product's own To Do list per user, named "DingTalk": synced to-dos live there and nowhere else, so a person's
 * other lists are never touched. To Do lets two lists share a name; the first one Graph lists under that name is
 * used, every time and by every instance (lists carry no creation time; the order Graph lists them in puts the
 * oldest first where it is creation order), and one is created only when none exists. The id is kept per user in
 * memory; concurrent callers for one user share a single lookup, so they cannot create two.
 */

export const DINGTALK_TODO_LIST_NAME = 'DingTalk';

export class OutlookTodoLists {
  private readonly ids = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly api: GraphApi,
    readonly displayName = DINGTALK_TODO_LIST_NAME,
  ) {}

  /** The list's id: from memory, else found by name, else created. */
  listIdFor(user: UserRef): Promise<string> {
    const known = this.ids.get(user.entraId);
    if (known) return Promise.resolve(known);
    let lookup = this.pending.get(user.entraId);
    if (!lookup) {
      lookup = this.findOrCreate(user)
        .then((id) => {
          this.ids.set(user.entraId, id);
          return id;
        })
        .finally(() => this.pending.delete(user.entraId));
      this.pending.set(user.entraId, lookup);
    }
    return lookup;
  }

  /** Drops the remembered id (the list was deleted or renamed): the next call looks again. */
  forget(user: UserRef, listId?: string): void {
    if (listId === undefined || this.ids.get(user.entraId) === listId) this.ids.delete(user.entraId);
  }

  private async findOrCreate(user: UserRef): Promise<string> {
    const found = await this.find(user);
    if (found) return found;
    const created = await this.api.post<GraphTodoTaskList>(
      this.listsPath(user),
      { displayName: this.displayName },
      { mailbox: user.entraId, what: 'create To Do list' },
    );
    // Another instance may have created one at the same moment: every instance settles on the first one listed,
    // and a list of ours that lost is removed while it is still empty.
    const first = await this.find(user);
    if (first && first !== created.id) {
      await this.api
        .delete(`${this.listsPath(user)}/${encodeURIComponent(created.id)}`, {
          mailbox: user.entraId,
          what: 'delete duplicate To Do list',
        })
        .catch(() => undefined);
      return first;
    }
    return created.id;
  }

  /** The first list with the name (paged, though a user rarely has more than a page of lists). */
  private async find(user: UserRef): Promise<string | undefined> {
    const filter = `displayName eq '${this.displayName.replace(/'/g, "''")}'`;
    let url: string | undefined = `${this.listsPath(user)}?$filter=${encodeURIComponent(filter)}`;
    while (url) {
      const page: GraphCollection<GraphTodoTaskList> = await this.api.get<GraphCollection<GraphTodoTaskList>>(
        url,
        {
          mailbox: user.entraId,
          what: 'find To Do list',
        },
      );
      const match = page.value.find((l) => l.displayName === this.displayName);
      if (match) return match.id;
      url = page['@odata.nextLink'];
    }
    return undefined;
  }

  private listsPath(user: UserRef): string {
    return `/users/${encodeURIComponent(user.entraId)}/todo/lists`;
  }
}
