import { colleaguesOf } from '../../../../shared/app/colleagues/colleague-set';
import type { ColleagueRecord } from '../../../../shared/store/colleague-store';

const member = (userid: string, deptIds: number[], name = userid): ColleagueRecord => ({
  userid,
  name,
  title: '',
  email: '',
  mobile: '',
  department: '',
  deptIds,
});

/** Members by department, as the table's member partitions hold them. */
function byDepartment(members: ColleagueRecord[]): Map<number, ColleagueRecord[]> {
  const out = new Map<number, ColleagueRecord[]>();
  for (const m of members) for (const d of m.deptIds) out.set(d, [...(out.get(d) ?? []), m]);
  return out;
}

const ids = (records: ColleagueRecord[]) => records.map((r) => r.userid);

describe('colleaguesOf', () => {
  const org = [
    member('me', [10, 20]),
    member('teammate', [10]),
    member('both', [10, 20]),
    member('division', [20]),
    member('elsewhere', [30]),
  ];

  test('everyone who shares a department, once, never the person themselves nor anyone else', () => {
    const got = colleaguesOf(member('me', [10, 20]), byDepartment(org), 500);
    expect(ids(got).sort()).toEqual(['both', 'division', 'teammate']);
  });

  test('a person in no department the copy knows has no colleagues', () => {
    expect(colleaguesOf(member('me', [99]), byDepartment(org), 500)).toEqual([]);
  });

  test('the smallest shared department comes first, then by name, and the cap cuts the rest', () => {
    const big = Array.from({ length: 8 }, (_, i) => member(`big${i}`, [1], `Big ${i}`));
    const team = [member('zed', [7], 'Zed'), member('amy', [7], 'Amy')];
    const me = member('me', [1, 7]);
    const members = byDepartment([me, ...big, ...team]);
    expect(ids(colleaguesOf(me, members, 100))).toEqual(['amy', 'zed', ...big.map((b) => b.userid)]);
    expect(ids(colleaguesOf(me, members, 3))).toEqual(['amy', 'zed', 'big0']);
    expect(colleaguesOf(me, members, 1)).toHaveLength(1);
  });

  test('the same directory gives the same choice whatever order the rows come in', () => {
    const me = member('me', [1]);
    const others = Array.from({ length: 20 }, (_, i) => member(`u${i}`, [1], `同事${i % 5}`));
    const a = colleaguesOf(me, byDepartment([me, ...others]), 7);
    const b = colleaguesOf(me, byDepartment([...others].reverse().concat(me)), 7);
    expect(ids(a)).toEqual(ids(b));
    expect(a).toHaveLength(7);
  });
});
