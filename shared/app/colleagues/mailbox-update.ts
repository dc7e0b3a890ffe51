import type { ColleagueRecord, ColleagueStore } from '../../store/colleague-store';
import type { UserPair } from '../../store/types';
import type { UserRef } from '../../sync/types';
import type { ColleagueFolder, ColleagueFolderReport } from './colleague-folder';
import { colleaguesOf } from './colleague-set';
import { ROOT_DEPARTMENT } from './directory-refresh';

/**
 * Brings one person's colleagues folder up to date: who their colleagues are comes from the table's copy of the
 * directory (one query per department they are in), the folder is reconciled within the run's budget.
 */

export interface MailboxUpdateDeps {
  store: Pick<ColleagueStore, 'readUser' | 'membersOf' | 'departments'>;
  folder: Pick<ColleagueFolder, 'reconcile'>;
  /** CONTACT_COLLEAGUES_MAX. */
  max: number;
}

export type MailboxOutcome =
  { status: 'absent'; done: true } | ({ status: 'served'; desired: number } & ColleagueFolderReport);

/** One run's reads of the copy, shared by every mailbox the run serves (a team's members are read once). */
export class DirectoryView {
  private readonly members = new Map<number, Promise<ColleagueRecord[]>>();
  private org: Promise<string> | undefined;

  constructor(private readonly store: Pick<ColleagueStore, 'membersOf' | 'departments'>) {}

  membersOf(deptId: number): Promise<ColleagueRecord[]> {
    let found = this.members.get(deptId);
    if (!found) {
      found = this.store.membersOf(deptId);
      this.members.set(deptId, found);
    }
    return found;
  }

  orgName(): Promise<string> {
    this.org ??= this.store.departments().then((names) => names.get(ROOT_DEPARTMENT) ?? '');
    return this.org;
  }
}

export async function updateMailbox(
  deps: MailboxUpdateDeps,
  view: DirectoryView,
  pair: UserPair,
): Promise<MailboxOutcome> {
  const person = await deps.store.readUser(pair.dingtalkUserId);
  // Not an active member as the copy has it (not yet activated, or gone): the folder is left as it is, never
  // emptied on the strength of a missing row.
  if (!person) return { status: 'absent', done: true };
  const members = new Map(
    await Promise.all(person.deptIds.map(async (d) => [d, await view.membersOf(d)] as const)),
  );
  const desired = colleaguesOf(person, members, deps.max);
  const report = await deps.folder.reconcile(userRefOf(pair), desired, await view.orgName());
  return { status: 'served', desired: desired.length, ...report };
}

function userRefOf(pair: UserPair): UserRef {
  return {
    pairId: pair.pairId,
    dingtalkUserId: pair.dingtalkUserId,
    dingtalkUnionId: pair.dingtalkUnionId,
    entraId: pair.entraId,
    email: pair.email,
  };
}
