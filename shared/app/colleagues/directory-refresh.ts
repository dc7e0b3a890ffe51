import type { DingTalkDirectory, DirectoryUser } from '../../connectors/dingtalk/directory';
import { forEachBounded } from '../../store/bounded';
import type { ColleagueChange, ColleagueRecord, ColleagueStore } from '../../store/colleague-store';
import { departmentsTouched, recordOf, sameRecord, snapshotChanges } from './colleague-record';

/**
 * Keeps the colleagues table's copy of the DingTalk directory current, and says whose folders a change reaches.
 *
 * - readWholeDirectory: the daily read (and the first one): departments with names, the organisation's name, every
 *   department's members; only the members who differ from the copy are written.
 * - applyDirectoryChanges: what directory callbacks named (user_add_org, user_modify_org, user_leave_org,
 *   user_active_org), one topapi/v2/user/get each instead of a whole read. DingTalk's callback names the person
 *   only, so the departments they left come from the copy.
 *
 * Either way the folders to update are those of everyone in a department the changed members were or are in: a
 * colleague's card is in exactly those folders. The directory APIs are not metered (20 calls a second).
 */

export type ColleagueDirectory = Pick<
  DingTalkDirectory,
  'listDepartments' | 'departmentName' | 'membersOf' | 'getUser'
>;
type Store = Pick<
  ColleagueStore,
  'snapshot' | 'departments' | 'saveDepartments' | 'apply' | 'readUser' | 'membersOf'
>;

export const ROOT_DEPARTMENT = 1;
/** Directory calls in flight; the client holds them to DingTalk's 20 a second. */
const DIRECTORY_CONCURRENCY = 4;

export interface DirectoryRefresh {
  changes: number;
  /** DingTalk userids whose folders need an update. */
  affected: Set<string>;
  /** A member is in a department the copy has no name for: the next run reads the whole directory. */
  unknownDepartment: boolean;
}

/**
 * Marks the folders a change reaches. Called before the copy is written: a run that dies in between sees the same
 * difference again next time, whereas marks written after the copy could be lost with nothing left to redo them.
 */
export type MarkAffected = (userids: Set<string>) => Promise<unknown>;

export async function readWholeDirectory(
  directory: ColleagueDirectory,
  store: Store,
  mark: MarkAffected,
): Promise<DirectoryRefresh> {
  const [departments, orgName, known] = await Promise.all([
    directory.listDepartments(),
    directory.departmentName(ROOT_DEPARTMENT),
    store.departments(),
  ]);
  const names = new Map<number, string>([[ROOT_DEPARTMENT, orgName ?? known.get(ROOT_DEPARTMENT) ?? '']]);
  for (const d of departments) names.set(d.deptId, d.name);

  const users = new Map<string, DirectoryUser>();
  await forEachBounded([...names.keys()], DIRECTORY_CONCURRENCY, async (deptId) => {
    for (const user of await directory.membersOf(deptId)) users.set(user.userid, user);
  });
  const fresh = new Map<string, ColleagueRecord>();
  for (const user of users.values()) {
    const record = recordOf(user, names);
    if (record) fresh.set(record.userid, record);
  }
  const before = await store.snapshot();
  const changes = snapshotChanges(before, fresh);
  // The organisation's name is every card's company: a rename reaches every folder.
  const renamed = known.size > 0 && known.get(ROOT_DEPARTMENT) !== names.get(ROOT_DEPARTMENT);
  const touched = departmentsTouched(changes);
  const affected = new Set<string>();
  for (const record of fresh.values())
    if (renamed || record.deptIds.some((d) => touched.has(d))) affected.add(record.userid);
  await mark(affected);
  await store.saveDepartments(names, known);
  await store.apply(changes);
  return { changes: changes.length, affected, unknownDepartment: false };
}

export async function applyDirectoryChanges(
  directory: ColleagueDirectory,
  store: Store,
  userids: string[],
  mark: MarkAffected,
): Promise<DirectoryRefresh> {
  const names = await store.departments();
  const changes: ColleagueChange[] = [];
  let unknownDepartment = false;
  await forEachBounded([...new Set(userids)], DIRECTORY_CONCURRENCY, async (userid) => {
    const [before, user] = await Promise.all([store.readUser(userid), directory.getUser(userid)]);
    const after = user && recordOf(user, names);
    if (after?.deptIds.some((d) => !names.has(d))) unknownDepartment = true;
    if (!before && !after) return;
    if (before && after && sameRecord(before, after)) return;
    changes.push({ before, after });
  });
  // The copy still has the departments' members as they were: a newcomer is added by hand, and someone who left
  // has no folder to update.
  const affected = new Set<string>(changes.flatMap((c) => (c.after ? [c.after.userid] : [])));
  const gone = new Set(changes.flatMap((c) => (c.after ? [] : [c.before!.userid])));
  await forEachBounded([...departmentsTouched(changes)], DIRECTORY_CONCURRENCY, async (deptId) => {
    for (const member of await store.membersOf(deptId))
      if (!gone.has(member.userid)) affected.add(member.userid);
  });
  await mark(affected);
  await store.apply(changes);
  return { changes: changes.length, affected, unknownDepartment };
}
