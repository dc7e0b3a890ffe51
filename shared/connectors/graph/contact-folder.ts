import { PermanentRemoteError, type UserRef } from '../../sync/types';
import type { GraphApi } from './http-client';
import { odataString } from './outlook-event-stamps';
import type { GraphCollection } from './wire-types';

/**
 * The product's own contact folder in each mailbox, "DingTalk 外部联系人": the DingTalk external contacts the user
 * follows are kept there, and nowhere else. The person's default Contacts folder (their own address book) and
 * every other folder are never read or written.
 *
 * Found by name among the default folder's child folders ("List contactFolders" lists those, with $filter on
 * displayName), created when absent ("Create contactFolder"). Two processes creating it at once: Exchange refuses
 * the second folder of one name with 409 ErrorFolderExists, and the loser looks it up again. The id is cached per
 * mailbox for the life of the process, with one lookup in flight per mailbox.
 */

export const OUTLOOK_CONTACT_FOLDER_NAME = 'DingTalk 外部联系人';

interface GraphContactFolder {
  id: string;
  displayName?: string;
  parentFolderId?: string;
}

export class OutlookContactFolders {
  private readonly ids = new Map<string, Promise<string>>();

  constructor(
    private readonly api: GraphApi,
    readonly displayName: string = OUTLOOK_CONTACT_FOLDER_NAME,
  ) {}

  /** The folder's id, creating the folder on first use. */
  folderId(user: UserRef): Promise<string> {
    let id = this.ids.get(user.entraId);
    if (!id) {
      id = this.findOrCreate(user);
      this.ids.set(user.entraId, id);
      // A failed lookup is not cached: the next call tries again.
      id.catch(() => {
        if (this.ids.get(user.entraId) === id) this.ids.delete(user.entraId);
      });
    }
    return id;
  }

  /** The folder went away under us (404 on it): the next call finds or creates it again. */
  forget(user: UserRef): void {
    this.ids.delete(user.entraId);
  }

  private async findOrCreate(user: UserRef): Promise<string> {
    const found = await this.find(user);
    if (found) return found;
    try {
      const created = await this.api.post<GraphContactFolder>(
        this.foldersPath(user),
        { displayName: this.displayName },
        { mailbox: user.entraId, what: 'create contact folder' },
      );
      return created.id;
    } catch (err) {
      if (!isFolderExists(err)) throw err;
      const again = await this.find(user);
      if (again) return again;
      throw err;
    }
  }

  private async find(user: UserRef): Promise<string | undefined> {
    const filter = encodeURIComponent(`displayName eq ${odataString(this.displayName)}`);
    const page = await this.api.get<GraphCollection<GraphContactFolder>>(
      `${this.foldersPath(user)}?$filter=${filter}&$top=2`,
      { mailbox: user.entraId, what: 'find contact folder' },
    );
    return page.value[0]?.id;
  }

  private foldersPath(user: UserRef): string {
    return `/users/${encodeURIComponent(user.entraId)}/contactFolders`;
  }
}

function isFolderExists(err: unknown): boolean {
  return (
    err instanceof PermanentRemoteError && (err.status === 409 || err.remoteCode === 'ErrorFolderExists')
  );
}
