import { OutlookContactFolders } from '../../connectors/graph/contact-folder';
import { CONTACT_SELECT, CONTACT_STAMP_EXPAND } from '../../connectors/graph/contact-mapper';
import { ifMatchFor } from '../../connectors/graph/event-etag';
import type { GraphApi } from '../../connectors/graph/http-client';
import type { GraphCollection } from '../../connectors/graph/wire-types';
import type { ColleagueRecord } from '../../store/colleague-store';
import { forEachBounded } from '../../store/bounded';
import { NotFoundRemoteError, VersionConflictRemoteError, type UserRef } from '../../sync/types';
import type { ColleagueContact } from './colleague-card';
import { CALLS_PER_MAILBOX_PER_RUN, LIST_PAGE_SIZE, WRITES_IN_FLIGHT_PER_MAILBOX } from './pace';
import { planColleagueWrites, type ColleagueWrite } from './write-plan';

/**
 * One mailbox's "DingTalk 同事" contact folder, brought in line with the colleagues DingTalk gives the person. Only
 * that folder is read or written (found or created by name, like "DingTalk 外部联系人"): the person's own Contacts
 * folder is never touched.
 *
 * A run lists the folder with each contact's stamp ($expand of the one extended property), plans the writes
 * (write-plan.ts) and makes as many as the mailbox's budget for the run allows. What is left is done by a later run,
 * which lists again: the stamps make that safe, nothing is created twice. Updates and deletes send If-Match; a
 * contact the person changed meanwhile (412) is left for the next run, which sees the change.
 */

export const COLLEAGUE_FOLDER_NAME = 'DingTalk 同事';

export interface ColleagueFolderReport {
  /** Graph requests spent: listing pages and writes (the folder's lookup, once per process, is not counted). */
  calls: number;
  held: number;
  created: number;
  updated: number;
  deleted: number;
  /** Writes Graph refused because the contact changed or went away meanwhile; the next run sees why. */
  conflicts: number;
  /** Everything planned was written: the folder matches DingTalk. */
  done: boolean;
}

export class ColleagueFolder {
  readonly folders: OutlookContactFolders;

  constructor(
    private readonly api: GraphApi,
    folders?: OutlookContactFolders,
  ) {
    this.folders = folders ?? new OutlookContactFolders(api, COLLEAGUE_FOLDER_NAME);
  }

  async reconcile(
    user: UserRef,
    desired: ColleagueRecord[],
    orgName: string,
    budget: number = CALLS_PER_MAILBOX_PER_RUN,
  ): Promise<ColleagueFolderReport> {
    const report: ColleagueFolderReport = {
      calls: 0,
      held: 0,
      created: 0,
      updated: 0,
      deleted: 0,
      conflicts: 0,
      done: false,
    };
    let folderId = await this.folders.folderId(user);
    let held: ColleagueContact[] | undefined;
    try {
      held = await this.list(user, folderId, report, budget);
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
      // The person deleted the folder: make it again, once.
      this.folders.forget(user);
      folderId = await this.folders.folderId(user);
      held = await this.list(user, folderId, report, budget);
    }
    if (!held) return report;
    report.held = held.length;
    const writes = planColleagueWrites(desired, orgName, held);
    const affordable = writes.slice(0, Math.max(0, budget - report.calls));
    await forEachBounded(affordable, WRITES_IN_FLIGHT_PER_MAILBOX, (w) =>
      this.write(user, folderId, w, report),
    );
    report.done = affordable.length === writes.length && report.conflicts === 0;
    return report;
  }

  /** Every contact of the folder with its stamp, or undefined when the budget ran out first. */
  private async list(
    user: UserRef,
    folderId: string,
    report: ColleagueFolderReport,
    budget: number,
  ): Promise<ColleagueContact[] | undefined> {
    const held: ColleagueContact[] = [];
    let url: string | undefined =
      `${this.contactsPath(user, folderId)}?$select=${CONTACT_SELECT},department` +
      `&$expand=${encodeURIComponent(CONTACT_STAMP_EXPAND)}&$top=${LIST_PAGE_SIZE}`;
    while (url) {
      if (report.calls >= budget) return undefined;
      report.calls++;
      const page: GraphCollection<ColleagueContact> = await this.api.get<GraphCollection<ColleagueContact>>(
        url,
        {
          mailbox: user.entraId,
          what: 'list colleague contacts',
        },
      );
      held.push(...page.value);
      url = page['@odata.nextLink'];
    }
    return held;
  }

  private async write(
    user: UserRef,
    folderId: string,
    w: ColleagueWrite,
    report: ColleagueFolderReport,
  ): Promise<void> {
    report.calls++;
    const options = { mailbox: user.entraId };
    try {
      if (w.op === 'create') {
        await this.api.post(this.contactsPath(user, folderId), w.body, {
          ...options,
          what: 'create colleague contact',
        });
        report.created++;
      } else if (w.op === 'update') {
        await this.api.patch(this.contactPath(user, folderId, w.id), w.body, {
          ...options,
          what: 'update colleague contact',
          ifMatch: ifMatchFor(w.version),
        });
        report.updated++;
      } else {
        await this.api.delete(this.contactPath(user, folderId, w.id), {
          ...options,
          what: 'delete colleague contact',
          ifMatch: ifMatchFor(w.version),
        });
        report.deleted++;
      }
    } catch (err) {
      if (w.op === 'delete' && err instanceof NotFoundRemoteError) {
        report.deleted++;
        return;
      }
      if (err instanceof VersionConflictRemoteError || err instanceof NotFoundRemoteError) {
        report.conflicts++;
        return;
      }
      throw err;
    }
  }

  private contactsPath(user: UserRef, folderId: string): string {
    return `/users/${encodeURIComponent(user.entraId)}/contactFolders/${encodeURIComponent(folderId)}/contacts`;
  }

  private contactPath(user: UserRef, folderId: string, id: string): string {
    return `${this.contactsPath(user, folderId)}/${encodeURIComponent(id)}`;
  }
}

const folderPerClient = new WeakMap<GraphApi, ColleagueFolder>();

/** One per Graph client, so each mailbox's folder is looked up once per process rather than once per run. */
export function colleagueFolderFor(api: GraphApi): ColleagueFolder {
  let folder = folderPerClient.get(api);
  if (!folder) {
    folder = new ColleagueFolder(api);
    folderPerClient.set(api, folder);
  }
  return folder;
}
