import type { ColleagueRecord } from '../../../shared/store/colleague-store';
import { freshStores } from './store-fixture';

const { stores } = freshStores();
const store = stores.colleagues;

const record = (userid: string, deptIds: number[], title = 'Engineer'): ColleagueRecord => ({
  userid,
  name: `Name ${userid}`,
  title,
  email: `${userid}@corp.example`,
  mobile: '+86 13800138000',
  department: '研发部',
  deptIds,
});

describe('ColleagueStore', () => {
  test('a member is kept once in the user partition and once per department; a move and a departure leave no row behind', async () => {
    const wang = record('wang/with#odd?id', [10, 20]);
    await store.apply([{ after: wang }, { after: record('li', [10]) }]);
    expect(await store.readUser(wang.userid)).toEqual(wang);
    expect((await store.membersOf(10)).map((m) => m.userid).sort()).toEqual(['li', wang.userid]);
    expect((await store.membersOf(20)).map((m) => m.userid)).toEqual([wang.userid]);

    const moved = record(wang.userid, [30], 'Lead');
    await store.apply([{ before: wang, after: moved }]);
    expect((await store.membersOf(10)).map((m) => m.userid)).toEqual(['li']);
    expect(await store.membersOf(20)).toEqual([]);
    expect(await store.membersOf(30)).toEqual([moved]);

    await store.apply([{ before: moved }]);
    expect(await store.readUser(wang.userid)).toBeUndefined();
    expect(await store.membersOf(30)).toEqual([]);
    expect([...(await store.snapshot()).keys()]).toEqual(['li']);
  });

  test('applying a change again (a run that died half way) is harmless, deletes of rows already gone included', async () => {
    const chen = record('chen', [40, 41]);
    await store.apply([{ after: chen }]);
    const change = { before: chen, after: record('chen', [41]) };
    await store.apply([change]);
    await store.apply([change]);
    expect((await store.membersOf(41)).map((m) => m.userid)).toEqual(['chen']);
    expect(await store.membersOf(40)).toEqual([]);
  });

  test('department names: only differences are written, and departments that are gone are removed', async () => {
    await store.saveDepartments(
      new Map([
        [1, 'Org'],
        [10, 'R&D'],
        [20, 'Sales'],
      ]),
      new Map(),
    );
    const known = await store.departments();
    expect(known).toEqual(
      new Map([
        [1, 'Org'],
        [10, 'R&D'],
        [20, 'Sales'],
      ]),
    );
    await store.saveDepartments(
      new Map([
        [1, 'Org'],
        [10, '研发部'],
      ]),
      known,
    );
    expect(await store.departments()).toEqual(
      new Map([
        [1, 'Org'],
        [10, '研发部'],
      ]),
    );
  });

  test('pending marks come oldest first; clearing removes what was read, never a mark written since', async () => {
    await store.markPending(['late'], 200);
    await store.markPending(['early', 'early', 'also'], 100);
    const read = await store.pending(10);
    expect(read.map((m) => m.userid)).toEqual(['also', 'early', 'late']);
    expect((await store.pending(2)).map((m) => m.userid)).toEqual(['also', 'early']);

    // The same person marked again in the same minute while being served: the mark is rewritten and stays.
    await store.markPending(['early'], 100);
    await store.clear(read, 'pending');
    expect((await store.pending(10)).map((m) => m.userid)).toEqual(['early']);
  });

  test('directory callbacks are noted once per person and cleared as read', async () => {
    await store.noteDirectoryChanges(['a', 'b', 'a', '']);
    const noted = await store.directoryChanges(10);
    expect(noted.map((m) => m.userid).sort()).toEqual(['a', 'b']);
    await store.noteDirectoryChanges(['b']);
    await store.clear(noted, 'changed');
    expect((await store.directoryChanges(10)).map((m) => m.userid)).toEqual(['b']);
  });
});
