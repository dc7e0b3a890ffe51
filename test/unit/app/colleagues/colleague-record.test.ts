import {
  departmentsTouched,
  recordOf,
  snapshotChanges,
} from '../../../../shared/app/colleagues/colleague-record';
import type { DirectoryUser } from '../../../../shared/connectors/dingtalk/directory';
import type { ColleagueRecord } from '../../../../shared/store/colleague-store';

const names = new Map([
  [1, '示例科技'],
  [10, '研发部'],
  [20, '市场部'],
]);

const user = (overrides: Partial<DirectoryUser> = {}): DirectoryUser => ({
  userid: 'wang',
  unionid: 'union-wang',
  name: '王芳',
  active: true,
  deptIds: [10],
  ...overrides,
});

describe('recordOf', () => {
  test('the card fields: title, the enterprise address first, the mobile with its country code, department names', () => {
    const record = recordOf(
      user({
        title: ' 工程师 ',
        org_email: 'Wang.Fang@Corp.Example',
        email: 'wang@home.example',
        mobile: '13800138000',
        stateCode: '86',
        deptIds: [10, 20, 10],
      }),
      names,
    );
    expect(record).toEqual({
      userid: 'wang',
      name: '王芳',
      title: '工程师',
      email: 'wang.fang@corp.example',
      mobile: '+86 13800138000',
      department: '研发部、市场部',
      deptIds: [10, 20],
    });
  });

  test('falls back to the other address, and keeps a number hidden from colleagues off the card', () => {
    const record = recordOf(
      user({ email: 'Wang@Home.Example', mobile: '13800138000', hideMobile: true }),
      names,
    )!;
    expect(record.email).toBe('wang@home.example');
    expect(record.mobile).toBe('');
    expect(recordOf(user({ mobile: '5551234', stateCode: '1' }), names)!.mobile).toBe('+1 5551234');
  });

  test('a member who has not activated DingTalk is nobody’s colleague', () => {
    expect(recordOf(user({ active: false }), names)).toBeUndefined();
  });

  test('a department without a known name is left out of the text, not shown as a number', () => {
    expect(recordOf(user({ deptIds: [10, 77] }), names)!.department).toBe('研发部');
  });
});

describe('snapshotChanges and departmentsTouched', () => {
  const r = (userid: string, deptIds: number[], title = ''): ColleagueRecord => ({
    userid,
    name: userid,
    title,
    email: '',
    mobile: '',
    department: '',
    deptIds,
  });

  test('newcomers, edits and leavers, and only those', () => {
    const before = new Map([
      ['same', r('same', [1])],
      ['edited', r('edited', [10], 'old')],
      ['moved', r('moved', [10])],
      ['left', r('left', [20])],
    ]);
    const after = new Map([
      ['same', r('same', [1])],
      ['edited', r('edited', [10], 'new')],
      ['moved', r('moved', [30])],
      ['joined', r('joined', [40])],
    ]);
    const changes = snapshotChanges(before, after);
    const summary = changes.map((c) => `${c.before?.userid ?? '-'}>${c.after?.userid ?? '-'}`).sort();
    expect(summary).toEqual(['->joined', 'edited>edited', 'left>-', 'moved>moved']);
    // A move reaches the department left as well as the one joined.
    expect([...departmentsTouched(changes)].sort((a, b) => a - b)).toEqual([10, 20, 30, 40]);
    expect(snapshotChanges(before, before)).toEqual([]);
  });
});
