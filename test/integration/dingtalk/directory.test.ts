import { type Harness, startHarness } from './support/harness';

describe('directory reader against the fake org', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    const c = h.fake.control;
    c.addDepartment({ dept_id: 10, parent_id: 1, name: 'Sales' });
    c.addDepartment({ dept_id: 11, parent_id: 10, name: 'Sales East' });
    c.addDepartment({ dept_id: 20, parent_id: 1, name: 'Engineering' });
    c.addDepartment({ dept_id: 21, parent_id: 20, name: 'Platform' });
    c.addDepartment({ dept_id: 22, parent_id: 21, name: 'Platform SRE' });
    for (let i = 0; i < 140; i++) {
      c.addUser({
        userid: `eng${i}`,
        name: `Engineer ${i}`,
        org_email: `eng${i}@corp.example`,
        dept_id_list: [22],
      });
    }
    for (let i = 0; i < 30; i++) {
      c.addUser({
        userid: `sales${i}`,
        name: `Seller ${i}`,
        email: `seller${i}@home.example`,
        dept_id_list: [11, 20],
      });
    }
    c.addUser({ userid: 'newbie', name: 'Not yet active', dept_id_list: [10], active: false });
  });
  afterAll(() => h.stop());

  test('lists every member once, across nested departments and pages of at most 100', async () => {
    h.fake.control.clearExchanges();
    const users = await h.directory.listAllUsers();
    expect(users).toHaveLength(2 + 140 + 30 + 1);
    expect(new Set(users.map((u) => u.userid)).size).toBe(users.length);
    expect(users.find((u) => u.userid === 'eng139')).toEqual({
      userid: 'eng139',
      unionid: expect.any(String),
      name: 'Engineer 139',
      org_email: 'eng139@corp.example',
      email: undefined,
      active: true,
      stateCode: '86',
      hideMobile: false,
      deptIds: [22],
    });
    expect(users.find((u) => u.userid === 'newbie')?.active).toBe(false);

    const listCalls = h.fake.control.exchanges().filter((x) => x.path === '/topapi/v2/user/list');
    expect(listCalls.every((x) => (x.requestBody as { size: number }).size <= 100)).toBe(true);
    const deptPages = listCalls.filter((x) => (x.requestBody as { dept_id: number }).dept_id === 22);
    expect(deptPages.map((x) => (x.requestBody as { cursor: number }).cursor)).toEqual([0, 100]);
  });

  test('lists departments with names and parents, and the organisation by its root department', async () => {
    const departments = await h.directory.listDepartments();
    expect(departments.map((d) => d.deptId).sort((a, b) => a - b)).toEqual([10, 11, 20, 21, 22]);
    expect(departments.find((d) => d.deptId === 22)).toEqual({
      deptId: 22,
      name: 'Platform SRE',
      parentId: 21,
    });
    expect(await h.directory.departmentName()).toBe('Org');
    expect(await h.directory.departmentName(999)).toBeUndefined();
    const sellers = await h.directory.membersOf(11);
    expect(sellers).toHaveLength(30);
    expect(sellers[0]!.deptIds).toEqual([11, 20]);
  });

  test('directory calls are not metered against the monthly quota', async () => {
    expect(h.fake.control.usage().metered).toBe(0);
  });

  test('gets one user, maps unionId to userid, and answers undefined for strangers', async () => {
    const users = await h.directory.listAllUsers();
    const seller = users.find((u) => u.userid === 'sales7')!;
    expect(await h.directory.getUser('sales7')).toEqual(seller);
    expect(await h.directory.userIdOfUnionId(seller.unionid)).toBe('sales7');
    expect(await h.directory.getUser('nobody')).toBeUndefined();
    expect(await h.directory.userIdOfUnionId('nobodyiEiE')).toBeUndefined();
  });

  test('a departed user disappears from the listing', async () => {
    h.fake.control.removeUser('eng0');
    const users = await h.directory.listAllUsers();
    expect(users.find((u) => u.userid === 'eng0')).toBeUndefined();
    expect(await h.directory.getUser('eng0')).toBeUndefined();
  });
});
