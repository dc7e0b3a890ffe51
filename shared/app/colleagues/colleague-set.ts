import type { ColleagueRecord } from '../../store/colleague-store';

/**
 * Who a person's colleagues are (CONTACT_COLLEAGUES=department): the active members who share at least one
 * department with them, themselves excluded, at most `max`.
 *
 * When there are more than `max`, the closest come first: members of the person's smallest department, then of
 * the next smallest, and so on (a team of eight is closer than a division of eight hundred); within a department by
 * name, then userid, so the choice is the same on every run and a folder does not churn.
 */
export function colleaguesOf(
  person: Pick<ColleagueRecord, 'userid' | 'deptIds'>,
  membersByDepartment: Map<number, ColleagueRecord[]>,
  max: number,
): ColleagueRecord[] {
  const departments = person.deptIds
    .filter((d) => membersByDepartment.has(d))
    .map((d) => ({ id: d, members: membersByDepartment.get(d)! }))
    .sort((a, b) => a.members.length - b.members.length || a.id - b.id);
  const chosen = new Map<string, ColleagueRecord>();
  for (const { members } of departments) {
    for (const m of [...members].sort(byNameThenId)) {
      if (chosen.size >= max) return [...chosen.values()];
      if (m.userid !== person.userid && !chosen.has(m.userid)) chosen.set(m.userid, m);
    }
  }
  return [...chosen.values()];
}

function byNameThenId(a: ColleagueRecord, b: ColleagueRecord): number {
  return (
    a.name.localeCompare(b.name, 'zh-Hans-CN') || (a.userid < b.userid ? -1 : a.userid > b.userid ? 1 : 0)
  );
}
