import { normalizeMobile } from '../../connectors/graph/contact-mapper';
import type { DirectoryUser } from '../../connectors/dingtalk/directory';
import type { ColleagueChange, ColleagueRecord } from '../../store/colleague-store';

/**
 * A DingTalk member as their colleagues' cards show them, and what changed between two reads of the directory.
 * Pure: the directory reads and the table writes are elsewhere (directory-refresh.ts).
 */

/** Between the names of a person's departments (DingTalk lets a person belong to several). */
export const DEPARTMENT_SEPARATOR = '、';

/** undefined for a member who has not activated DingTalk: such a member is nobody's colleague yet. */
export function recordOf(
  user: DirectoryUser,
  departmentNames: Map<number, string>,
): ColleagueRecord | undefined {
  if (!user.active) return undefined;
  const deptIds = [...new Set(user.deptIds ?? [])];
  return {
    userid: user.userid,
    name: user.name,
    title: (user.title ?? '').trim(),
    email: (user.org_email || user.email || '').trim().toLowerCase(),
    mobile: mobileOf(user),
    department: deptIds
      .map((id) => departmentNames.get(id) ?? '')
      .filter(Boolean)
      .join(DEPARTMENT_SEPARATOR),
    deptIds,
  };
}

/** A number the person hid from colleagues (hide_mobile) is not put on their card. */
function mobileOf(user: DirectoryUser): string {
  if (user.hideMobile || !user.mobile) return '';
  return user.stateCode ? normalizeMobile(`+${user.stateCode} ${user.mobile}`) : normalizeMobile(user.mobile);
}

export function sameRecord(a: ColleagueRecord, b: ColleagueRecord): boolean {
  return (
    a.name === b.name &&
    a.title === b.title &&
    a.email === b.email &&
    a.mobile === b.mobile &&
    a.department === b.department &&
    a.deptIds.length === b.deptIds.length &&
    a.deptIds.every((d, i) => d === b.deptIds[i])
  );
}

/** The members who joined, changed or left between two reads, by userid. */
export function snapshotChanges(
  before: Map<string, ColleagueRecord>,
  after: Map<string, ColleagueRecord>,
): ColleagueChange[] {
  const changes: ColleagueChange[] = [];
  for (const [userid, record] of after) {
    const old = before.get(userid);
    if (!old || !sameRecord(old, record))
      changes.push(old ? { before: old, after: record } : { after: record });
  }
  for (const [userid, old] of before) if (!after.has(userid)) changes.push({ before: old });
  return changes;
}

/**
 * The departments whose members' folders a change reaches: every department the member was or is in. A member's
 * card sits in the folders of everyone sharing a department with them, so those are the folders to update.
 */
export function departmentsTouched(changes: ColleagueChange[]): Set<number> {
  const out = new Set<number>();
  for (const { before, after } of changes) {
    for (const d of before?.deptIds ?? []) out.add(d);
    for (const d of after?.deptIds ?? []) out.add(d);
  }
  return out;
}
