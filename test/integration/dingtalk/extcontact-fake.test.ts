import { EXT_CONTACT_FIELDS } from '../../contract/dingtalk/oapi-fields';
import { type Harness, startHarness } from './support/harness';

/**
 * The fake's external contacts (外部联系人) over real HTTP: the topapi/extcontact/* operations, their fields,
 * paging, validation errors, follower/sharing, labels, permissions, QPS, the monthly meter and injected faults.
 */

/**
 * The documented wire fields (help.dingtalk.io: "Obtains the external contact details", "Get the external contact
 * list", "Get the list of external contact tags", "Add/Update/Delete enterprise external contacts"). The oapi
 * family is not in test/schemas/dingtalk-api.json, so responses are checked against these lists.
 */
const OPEN_EXT_CONTACT = EXT_CONTACT_FIELDS;
const ENVELOPE = ['errcode', 'errmsg', 'request_id'];
const RESPONSES: Record<string, string[]> = {
  list: [...ENVELOPE, 'results'],
  listlabelgroups: [...ENVELOPE, 'results'],
  get: [...ENVELOPE, 'result'],
  create: [...ENVELOPE, 'userid'],
  update: ENVELOPE,
  delete: ENVELOPE,
};
const LABEL_GROUP = ['name', 'color', 'labels'];
const LABEL = ['name', 'id'];

const undeclared = (value: object, declared: string[]) =>
  Object.keys(value).filter((k) => !declared.includes(k));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

let h: Harness;
let labelId: number;
beforeEach(async () => {
  h = await startHarness();
  h.fake.control.addDepartment({ dept_id: 7, parent_id: 1, name: 'Sales' });
  h.fake.control.addUser({ userid: 'carol', name: 'Carol', dept_id_list: [7] });
  labelId = h.fake.control.extContactLabelGroups()[0]!.labels[0]!.id;
});
afterEach(() => h.stop());

async function call(op: string, body: unknown, form = false): Promise<Body> {
  const token = await h.tokens.getToken();
  const res = await fetch(`${h.fake.url}/topapi/extcontact/${op}?access_token=${token}`, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const json = (await res.json()) as Body;
  if (json.errcode === 0) expect(undeclared(json, RESPONSES[op]!)).toEqual([]);
  else expect(undeclared(json, ENVELOPE)).toEqual([]);
  return json;
}

const wang = (extra: Record<string, unknown> = {}) => ({
  name: '王经理',
  mobile: '13088888888',
  state_code: '86',
  follower_user_id: 'alice',
  label_ids: [labelId],
  company_name: '钉钉',
  title: 'CFO',
  address: '北京',
  remark: '技术负责人',
  ...extra,
});

async function create(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('create', { contact: wang(extra) });
  expect(res.errcode).toBe(0);
  expect(res.userid).toMatch(/^\d{18}$/);
  return res.userid as string;
}

describe('external contacts over the API', () => {
  test('create, get, list, update and delete, with the documented fields only', async () => {
    const id = await create({ share_user_ids: ['bob'], share_dept_ids: [7] });
    const got = await call('get', { user_id: id });
    expect(undeclared(got.result, OPEN_EXT_CONTACT)).toEqual([]);
    expect(got.result).toEqual({
      userid: id,
      ...wang(),
      share_user_ids: ['bob'],
      share_dept_ids: [7],
    });

    const list = await call('list', { offset: 0, size: 100 });
    expect(list.results).toHaveLength(1);
    for (const c of list.results) expect(undeclared(c, OPEN_EXT_CONTACT)).toEqual([]);

    // The update API has no mobile or state_code: they stay; an absent optional field stays too.
    const updated = await call('update', {
      contact: {
        user_id: id,
        name: '王总',
        follower_user_id: 'alice',
        label_ids: [labelId],
        mobile: '139',
        title: 'CEO',
      },
    });
    expect(updated.errcode).toBe(0);
    expect((await call('get', { user_id: id })).result).toMatchObject({
      name: '王总',
      title: 'CEO',
      mobile: '13088888888',
      company_name: '钉钉',
      share_user_ids: ['bob'],
    });

    expect((await call('delete', { user_id: id })).errcode).toBe(0);
    for (const op of ['get', 'delete'])
      expect(await call(op, { user_id: id })).toMatchObject({ errcode: 33012 });
    expect(await call('update', { contact: { ...wang(), user_id: id } })).toMatchObject({ errcode: 33012 });
  });

  test('the listing shows every contact the app can see; following and sharing are fields the caller filters on', async () => {
    const alices = await create();
    const bobs = await create({ follower_user_id: 'bob', share_user_ids: ['alice'] });
    h.fake.control.userAddsExtContact('carol', {
      name: '赵六',
      mobile: '13700000000',
      email: 'zhao@x.example',
    });
    const all = (await call('list', {})).results as Body[];
    expect(all.map((c) => c.follower_user_id)).toEqual(['alice', 'bob', 'carol']);
    expect(all.filter((c) => c.follower_user_id === 'alice').map((c) => c.userid)).toEqual([alices]);
    expect(all.find((c) => c.userid === bobs).share_user_ids).toEqual(['alice']);
    expect(h.fake.control.extContactsOf('alice').map((c) => c.userid)).toEqual([alices]);
    expect(all[2]).toMatchObject({ email: 'zhao@x.example', state_code: '86', label_ids: [labelId] });
  });

  test('offset/size paging up to 100; offset or size alone is ignored (first 20); form bodies work too', async () => {
    for (let i = 0; i < 25; i++)
      h.fake.control.userAddsExtContact('alice', {
        name: `c${i}`,
        mobile: `1300000${String(i).padStart(4, '0')}`,
      });
    const names: string[] = [];
    for (let offset = 0; ; offset += 10) {
      const page = await call('list', { offset, size: 10 });
      names.push(...page.results.map((c: Body) => c.name));
      if (page.results.length < 10) break;
    }
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `c${i}`));
    expect((await call('list', { size: 5 })).results).toHaveLength(20);
    expect((await call('list', { offset: 20 })).results[0].name).toBe('c0');
    expect(await call('list', { offset: 0, size: 101 })).toMatchObject({ errcode: 400002 });
    const form = await call('list', { offset: '20', size: '10' }, true);
    expect(form.results.map((c: Body) => c.name)).toEqual(['c20', 'c21', 'c22', 'c23', 'c24']);
    const created = await call('create', { contact: JSON.stringify(wang()) }, true);
    expect(created.errcode).toBe(0);
  });

  test('validation errors in the oapi shape', async () => {
    const without = (key: string) => {
      const c: Record<string, unknown> = wang();
      delete c[key];
      return { contact: c };
    };
    for (const key of ['name', 'mobile', 'state_code', 'follower_user_id', 'label_ids'])
      expect(await call('create', without(key))).toMatchObject({ errcode: 400002 });
    expect(await call('create', {})).toMatchObject({ errcode: 400002 });
    expect(await call('create', { contact: wang({ label_ids: [] }) })).toMatchObject({ errcode: 400002 });
    expect(await call('create', { contact: wang({ label_ids: [42] }) })).toMatchObject({ errcode: 400002 });
    expect(await call('create', { contact: wang({ mobile: '130-abc' }) })).toMatchObject({ errcode: 400002 });
    expect(await call('create', { contact: wang({ follower_user_id: 'nobody' }) })).toMatchObject({
      errcode: 60121,
    });
    expect(await call('create', { contact: wang({ share_user_ids: ['ghost'] }) })).toMatchObject({
      errcode: 60121,
    });
    expect(await call('create', { contact: wang({ share_dept_ids: [999] }) })).toMatchObject({
      errcode: 60003,
    });
    const many = Array.from({ length: 21 }, (_, i) => i + 1);
    expect(await call('create', { contact: wang({ share_dept_ids: many }) })).toMatchObject({
      errcode: 400002,
    });
    expect(await call('create', { contact: wang({ title: 7 }) })).toMatchObject({ errcode: 400002 });
    expect((await call('list', { offset: 0, size: 100 })).results).toEqual([]);
  });

  test('labels: the org’s label groups are listed; email is kept only when the API is told to take it', async () => {
    const group = h.fake.control.addExtContactLabelGroup('行业', ['制造', '零售'], -1);
    const groups = await call('listlabelgroups', { offset: 0, size: 100 });
    for (const g of groups.results) {
      expect(undeclared(g, LABEL_GROUP)).toEqual([]);
      for (const l of g.labels) expect(undeclared(l, LABEL)).toEqual([]);
    }
    expect(groups.results.map((g: Body) => g.name)).toEqual(['类型', '行业']);
    const id = await create({ label_ids: [labelId, group.labels[1]!.id], email: 'wang@x.example' });
    const got = (await call('get', { user_id: id })).result;
    expect(got.label_ids).toEqual([labelId, group.labels[1]!.id]);
    expect(got.email).toBeUndefined();
    h.fake.control.setExtContactOptions({ emailWritable: true });
    const id2 = await create({ email: 'wang@x.example' });
    expect((await call('get', { user_id: id2 })).result.email).toBe('wang@x.example');
  });
});

describe('permissions, limits and faults', () => {
  test('without qyapi_ext_write writes are refused, reads go on; without qyapi_ext_read reads are refused', async () => {
    h.fake.control.setExtContactOptions({ write: false });
    expect(await call('create', { contact: wang() })).toMatchObject({ errcode: 60011 });
    expect((await call('list', {})).errcode).toBe(0);
    h.fake.control.setExtContactOptions({ read: false, write: true });
    expect(await call('list', {})).toMatchObject({ errcode: 60011 });
    expect(await call('listlabelgroups', {})).toMatchObject({ errcode: 60011 });
  });

  test('each extcontact API has its own 20-per-second budget (90018) and every admitted call is metered', async () => {
    h.fake.control.setQpsLimit(3);
    const token = await h.tokens.getToken();
    const fire = (op: string) =>
      fetch(`${h.fake.url}/topapi/extcontact/${op}?access_token=${token}`, {
        method: 'POST',
        body: '{}',
      }).then((r) => r.json() as Promise<{ errcode: number }>);
    const lists = await Promise.all(Array.from({ length: 5 }, () => fire('list')));
    expect(lists.filter((b) => b.errcode === 90018)).toHaveLength(2);
    // Another API of the family is counted on its own.
    expect((await fire('listlabelgroups')).errcode).toBe(0);

    const usage = h.fake.control.usage();
    expect(usage.byApi['POST /topapi/extcontact/list']).toBe(3);
    expect(usage.byApi['POST /topapi/extcontact/listlabelgroups']).toBe(1);
    h.fake.control.setMonthlyQuota(usage.metered);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await fire('list')).errcode).toBe(90020);
  });

  test('injected faults answer extcontact calls in the oapi dialect', async () => {
    h.fake.control.injectFault({ path: '/topapi/extcontact/list', kind: 'systemBusy' });
    expect(await call('list', {})).toMatchObject({ errcode: -1, errmsg: '系统繁忙' });
    expect((await call('list', {})).errcode).toBe(0);
  });
});

describe('the person in the DingTalk app (control API)', () => {
  test('adds, edits and deletes contacts they follow or that are shared with them; others cannot', async () => {
    const added = h.fake.control.userAddsExtContact('alice', {
      name: '孙七',
      mobile: '13600000000',
      company_name: 'ACME',
      share_dept_ids: [7],
    });
    expect(added).toMatchObject({ follower_user_id: 'alice', state_code: '86', share_user_ids: [] });
    const edited = h.fake.control.userEditsExtContact('carol', added.userid as string, {
      mobile: '13611111111',
      email: 's7@acme.example',
    });
    expect(edited).toMatchObject({ mobile: '13611111111', email: 's7@acme.example', name: '孙七' });
    expect(() => h.fake.control.userEditsExtContact('bob', added.userid as string, { name: 'x' })).toThrow(
      /cannot edit/,
    );
    expect((await call('get', { user_id: added.userid })).result.mobile).toBe('13611111111');
    h.fake.control.userDeletesExtContact('alice', added.userid as string);
    expect(h.fake.control.extContactsOf('alice')).toEqual([]);

    // The same over HTTP.
    const res = await fetch(`${h.fake.url}/_control/users/bob/extcontacts`, {
      method: 'POST',
      body: JSON.stringify({ name: '周八', mobile: '13500000000' }),
    });
    expect(res.status).toBe(200);
    const listed = await fetch(`${h.fake.url}/_control/users/bob/extcontacts`).then(
      (r) => r.json() as Promise<Body>,
    );
    expect(listed.map((c: Body) => c.name)).toEqual(['周八']);
  });
});
