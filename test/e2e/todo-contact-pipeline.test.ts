import { FOLDERS } from '../../shared/app/folders';
import { utcDay } from '../../shared/store/day';
import type { WorkItem } from '../../shared/store/types';
import type { Kind, Side } from '../../shared/sync/types';
import { startPipeline, type Person, type Pipeline } from './support/pipeline';

/**
 * To-dos and external contacts end to end: the sandbox DingTalk and Graph, the real function app on the local host,
 * Azurite. Neither kind is pushed by either service, so both sides are polled; a poll is started here by a work
 * message rather than by waiting for the folder's slot.
 */
let p: Pipeline;

const TODO_LIST = 'DingTalk';
const CONTACT_FOLDER = 'DingTalk 外部联系人';

type Row = Record<string, unknown>;

async function poll(person: Person, kind: Kind, side: Side): Promise<void> {
  if (kind === 'contact' && side === 'dingtalk') {
    // Edits made "in the DingTalk app" reach the shared roster at its next refresh; the test does not wait for it.
    await p.services.dingtalk.contacts.roster.fresh();
  }
  const work: WorkItem = { pairId: person.entraId, kind, side, folder: FOLDERS[kind][side], reason: 'sweep' };
  await p.app.stores.workQueue.enqueue(work);
  await p.quiet();
}

const outlookTasks = (person: Person) => p.graph.control.todo.todoTasks(person.entraId, TODO_LIST);
const contactFolderId = (person: Person) =>
  p.graph.control.contacts.contactFolders(person.entraId).find((f: Row) => f.displayName === CONTACT_FOLDER)
    ?.id as string | undefined;
const outlookContacts = (person: Person) =>
  p.graph.control.contacts.contactsIn(person.entraId, contactFolderId(person)!);
const dingtalkWrites = () =>
  p.dingtalk.control
    .exchanges()
    .filter(
      (x) =>
        x.method === 'PUT' ||
        x.method === 'DELETE' ||
        (x.method === 'POST' && /\/tasks$/.test(x.path)) ||
        /extcontact\/(create|update|delete)/.test(x.path),
    ).length;
const graphWrites = () =>
  p.graph.control.countRequests('POST', /\/todo\/lists\/[^/]+\/tasks$|\/contactFolders\/[^/]+\/contacts$/) +
  p.graph.control.countRequests('PATCH', /\/tasks\/|\/contacts\//) +
  p.graph.control.countRequests('DELETE', /\/tasks\/|\/contacts\//);

beforeAll(async () => {
  p = await startPipeline({
    env: {
      SYNC_KINDS: 'todo,contact',
      // A paid edition's quota: the governor then lets the polls run at the configured pace.
      DINGTALK_MONTHLY_CALL_QUOTA: '1000000',
    },
  });
  await p.onboard();
}, 90_000);

afterAll(async () => {
  await p?.stop();
});

test('pairing makes one "DingTalk" list and one contact folder per person, and starts a poll chain on each side', async () => {
  for (const person of p.people) {
    expect(
      p.graph.control.todo.todoLists(person.entraId).filter((l) => l.displayName === TODO_LIST),
    ).toHaveLength(1);
    expect(contactFolderId(person)).toBeDefined();
    for (const kind of ['todo', 'contact'] as const) {
      const { state } = await p.app.stores.pairState.load(person.entraId, kind);
      expect(state.sides.dingtalk.polledAt).toBeDefined();
      expect(state.sides.outlook.polledAt).toBeDefined();
      expect(state.sides.dingtalk.cursor).toBeTruthy();
      expect(state.sides.outlook.cursor).toBeTruthy();
    }
  }
});

test('a DingTalk to-do reaches Outlook once, due on the same day; ticked off in DingTalk it is completed in Outlook', async () => {
  const [zhang] = p.people;
  const created = p.dingtalk.control.userCreatesTodo(zhang.unionId, {
    subject: '提交报关资料',
    description: '附上发票和装箱单',
    // 00:30 in Shanghai is still the previous day in UTC: a naive conversion would move the due day.
    dueTime: Date.parse('2026-12-20T00:30:00+08:00'),
  });
  await poll(zhang, 'todo', 'dingtalk');
  const copies = outlookTasks(zhang).filter((t) => t.title === '提交报关资料');
  expect(copies).toHaveLength(1);
  expect((copies[0].body as { content: string }).content).toContain('附上发票和装箱单');
  expect(String((copies[0].dueDateTime as { dateTime: string }).dateTime)).toMatch(/^2026-12-19T16:00:00/);

  p.dingtalk.control.userCompletesTodo(zhang.unionId, created.id as string);
  await poll(zhang, 'todo', 'dingtalk');
  const done = outlookTasks(zhang).find((t) => t.id === copies[0].id);
  expect(done?.status).toBe('completed');
});

test('where DingTalk lets an app write a person’s to-dos, an Outlook edit reaches DingTalk and keeps DingTalk’s time of day; a DingTalk edit meanwhile survives too', async () => {
  const [, alice] = p.people;
  // Whether DingTalk lets an app change to-dos people made in DingTalk is not documented; the fake refuses by
  // default (the next test), and allows it here.
  p.dingtalk.control.setTodoOptions({ nativeWritable: true });
  const created = p.dingtalk.control.userCreatesTodo(alice.unionId, {
    subject: 'Shift plan',
    dueTime: Date.parse('2026-12-21T15:00:00+08:00'),
  });
  await poll(alice, 'todo', 'dingtalk');
  const copy = outlookTasks(alice).find((t) => t.title === 'Shift plan')!;
  p.graph.control.todo.userUpdatesTask(alice.entraId, copy.id as string, {
    title: 'Shift plan (final)',
    dueDateTime: { dateTime: '2026-12-22T00:00:00', timeZone: 'Asia/Shanghai' },
  });
  p.dingtalk.control.userEditsTodo(alice.unionId, created.id as string, { description: 'ask Bob first' });
  await poll(alice, 'todo', 'outlook');
  await poll(alice, 'todo', 'dingtalk');
  const inDingTalk = p.dingtalk.control.todosOf(alice.unionId).find((t) => t.id === created.id)!;
  expect(inDingTalk.subject).toBe('Shift plan (final)');
  expect(inDingTalk.description).toBe('ask Bob first');
  expect(inDingTalk.dueTime).toBe(Date.parse('2026-12-22T15:00:00+08:00'));
  const inOutlook = outlookTasks(alice).find((t) => t.id === copy.id)!;
  expect((inOutlook.body as { content: string }).content).toContain('ask Bob first');
  p.dingtalk.control.setTodoOptions({ nativeWritable: false });
});

test('a to-do DingTalk will not let the app change is copied, but an edit of its copy is refused for that item alone and audited', async () => {
  const [, , bob] = p.people;
  const foreign = p.dingtalk.control.otherAppCreatesTodo(bob.unionId, { subject: 'Approve the budget' });
  const native = p.dingtalk.control.userCreatesTodo(bob.unionId, { subject: 'Call the broker' });
  const ownCopy = p.graph.control.todo.userCreatesTask(bob.entraId, { title: 'Book the truck' }, TODO_LIST);
  await poll(bob, 'todo', 'dingtalk');
  await poll(bob, 'todo', 'outlook');
  const copy = outlookTasks(bob).find((t) => t.title === 'Approve the budget')!;
  const nativeCopy = outlookTasks(bob).find((t) => t.title === 'Call the broker')!;
  expect(p.dingtalk.control.todosOf(bob.unionId).filter((t) => t.subject === 'Book the truck')).toHaveLength(
    1,
  );
  p.graph.control.todo.userUpdatesTask(bob.entraId, copy.id as string, { title: 'Approve the budget today' });
  p.graph.control.todo.userUpdatesTask(bob.entraId, nativeCopy.id as string, {
    title: 'Call the broker at 3',
  });
  p.graph.control.todo.userUpdatesTask(bob.entraId, ownCopy.id as string, {
    title: 'Book the truck for Monday',
  });
  await poll(bob, 'todo', 'outlook');
  const bobTodos = p.dingtalk.control.todosOf(bob.unionId);
  expect(bobTodos.find((t) => t.id === foreign.id)?.subject).toBe('Approve the budget');
  expect(bobTodos.find((t) => t.id === native.id)?.subject).toBe('Call the broker');
  // A to-do the app itself created in DingTalk is always its own to change.
  expect(bobTodos.filter((t) => t.subject === 'Book the truck for Monday')).toHaveLength(1);
  const audit = await p.app.stores.audit.listDay(utcDay(Date.now()));
  const refused = audit.filter(
    (e) => e.pairId === bob.entraId && e.kind === 'todo' && e.action === 'failure',
  );
  expect(refused.some((e) => /bizTag|read-only|not belong/i.test(e.reason))).toBe(true);
});

test('a contact added in Outlook’s DingTalk folder becomes the person’s external contact; their own contacts never leave Outlook', async () => {
  const [zhang] = p.people;
  p.graph.control.contacts.userCreatesContact(zhang.entraId, 'contacts', {
    displayName: '私人 朋友',
    mobilePhone: '+86 139 0000 0000',
  });
  p.graph.control.contacts.userCreatesContact(zhang.entraId, contactFolderId(zhang)!, {
    displayName: '王芳',
    companyName: '上海远航物流有限公司',
    jobTitle: '采购经理',
    mobilePhone: '+86 138 0013 8000',
    emailAddresses: [{ address: 'wang.fang@yuanhang.example.cn', name: '王芳' }],
  });
  await poll(zhang, 'contact', 'outlook');
  const followed = p.dingtalk.control.extContactsOf(zhang.userid);
  expect(followed.map((c) => c.name)).toEqual(['王芳']);
  expect(followed[0]).toMatchObject({
    company_name: '上海远航物流有限公司',
    title: '采购经理',
    mobile: '13800138000',
  });
  expect(p.graph.control.contacts.contactAccesses(zhang.entraId, 'contacts')).toHaveLength(0);

  p.dingtalk.control.userEditsExtContact(zhang.userid, followed[0].userid as string, { title: '采购总监' });
  await poll(zhang, 'contact', 'dingtalk');
  expect(outlookContacts(zhang).find((c) => c.displayName === '王芳')?.jobTitle).toBe('采购总监');
});

test('a DingTalk external contact reaches the follower’s Outlook folder, and no one else’s', async () => {
  const [, alice, bob] = p.people;
  p.dingtalk.control.userAddsExtContact(alice.userid, {
    name: 'Li Lei',
    company_name: 'ACME Trading',
    mobile: '13912345678',
    state_code: '86',
    label_ids: [1026002],
  });
  await poll(alice, 'contact', 'dingtalk');
  await poll(bob, 'contact', 'dingtalk');
  expect(outlookContacts(alice).filter((c) => c.displayName === 'Li Lei')).toHaveLength(1);
  expect(outlookContacts(alice).find((c) => c.displayName === 'Li Lei')?.mobilePhone).toBe('+86 13912345678');
  expect(outlookContacts(bob).filter((c) => c.displayName === 'Li Lei')).toHaveLength(0);
});

test('the organisation-wide listing is the event: a refresh made for anyone’s poll pulls the follower at once', async () => {
  const [zhang, alice] = p.people;
  p.dingtalk.control.userAddsExtContact(alice.userid, {
    name: '韩梅梅',
    company_name: 'Meridian Freight',
    mobile: '13711112222',
    state_code: '86',
    label_ids: [1026002],
  });
  // Only Zhang's folder is polled; the refresh his poll makes names Alice as a follower with a change.
  await poll(zhang, 'contact', 'dingtalk');
  expect(outlookContacts(alice).filter((c) => c.displayName === '韩梅梅')).toHaveLength(1);
});

test('a copy the app made in DingTalk and a person deleted before DingTalk was next polled is seen as deleted', async () => {
  const [, , bob] = p.people;
  const task = p.graph.control.todo.userCreatesTask(bob.entraId, { title: 'Short-lived' }, TODO_LIST);
  p.graph.control.contacts.userCreatesContact(bob.entraId, contactFolderId(bob)!, {
    displayName: 'Short-lived contact',
    mobilePhone: '+86 137 0000 1111',
  });
  await poll(bob, 'todo', 'outlook');
  await poll(bob, 'contact', 'outlook');
  const todoCopy = p.dingtalk.control.todosOf(bob.unionId).find((t) => t.subject === 'Short-lived')!;
  const contactCopy = p.dingtalk.control
    .extContactsOf(bob.userid)
    .find((c) => c.name === 'Short-lived contact')!;
  p.dingtalk.control.setTodoOptions({ nativeWritable: true });
  p.dingtalk.control.userDeletesTodo(bob.unionId, todoCopy.id as string);
  p.dingtalk.control.userDeletesExtContact(bob.userid, contactCopy.userid as string);
  await poll(bob, 'todo', 'dingtalk');
  await poll(bob, 'contact', 'dingtalk');
  p.dingtalk.control.setTodoOptions({ nativeWritable: false });
  expect(outlookTasks(bob).find((t) => t.id === task.id)).toBeUndefined();
  expect(outlookContacts(bob).find((c) => c.displayName === 'Short-lived contact')).toBeUndefined();
});

test('a first sync (here a resync) matches what is already on both sides before copying anything: contacts by e-mail, then by name and company; to-dos by subject and due day', async () => {
  const [zhang] = p.people;
  p.dingtalk.control.setExtContactOptions({ emailWritable: true });
  p.dingtalk.control.userAddsExtContact(zhang.userid, {
    name: 'Chen Jing',
    company_name: 'Harbour Logistics',
    email: 'chen.jing@harbour.example',
    mobile: '13655556666',
    state_code: '86',
    label_ids: [1026002],
  });
  p.dingtalk.control.userAddsExtContact(zhang.userid, {
    name: 'Zhou  Min',
    company_name: 'ACME Trading',
    mobile: '13677778888',
    state_code: '86',
    label_ids: [1026002],
  });
  p.dingtalk.control.setExtContactOptions({ emailWritable: false });
  const folder = contactFolderId(zhang)!;
  p.graph.control.contacts.userCreatesContact(zhang.entraId, folder, {
    displayName: 'Jing Chen',
    companyName: 'Harbour Logistics Ltd',
    mobilePhone: '+86 136 5555 6666',
    emailAddresses: [{ address: 'Chen.Jing@harbour.example', name: 'Jing Chen' }],
  });
  p.graph.control.contacts.userCreatesContact(zhang.entraId, folder, {
    displayName: 'zhou min',
    companyName: 'acme trading',
    mobilePhone: '+86 136 7777 8888',
  });
  p.dingtalk.control.userCreatesTodo(zhang.unionId, {
    subject: 'Renew the licence',
    dueTime: Date.parse('2026-12-30T10:00:00+08:00'),
  });
  p.graph.control.todo.userCreatesTask(
    zhang.entraId,
    {
      title: 'Renew the licence',
      dueDateTime: { dateTime: '2026-12-30T00:00:00', timeZone: 'Asia/Shanghai' },
    },
    TODO_LIST,
  );
  // The resync's own listing reads the contacts afresh (a refresh made beforehand would hint a delta pull first).
  p.services.dingtalk.contacts.roster.pace(1);
  for (const kind of ['contact', 'todo'] as const) {
    await p.app.stores.workQueue.enqueue({
      pairId: zhang.entraId,
      kind,
      side: 'dingtalk',
      folder: FOLDERS[kind].dingtalk,
      reason: 'sweep',
      resync: true,
    });
    await p.quiet();
    await poll(zhang, kind, 'outlook');
  }
  p.services.dingtalk.contacts.roster.pace(60_000);
  const names = (list: Array<Record<string, unknown>>, field: string) =>
    list.map((c) => String(c[field])).filter((n) => /chen|zhou|jing|min/i.test(n));
  expect(names(p.dingtalk.control.extContactsOf(zhang.userid), 'name')).toHaveLength(2);
  expect(names(outlookContacts(zhang), 'displayName')).toHaveLength(2);
  expect(
    p.dingtalk.control.todosOf(zhang.unionId).filter((t) => t.subject === 'Renew the licence'),
  ).toHaveLength(1);
  expect(outlookTasks(zhang).filter((t) => t.title === 'Renew the licence')).toHaveLength(1);
});

test('once quiet, polling every side again writes nothing: our own writes never echo', async () => {
  const before = { dingtalk: dingtalkWrites(), graph: graphWrites() };
  for (const person of p.people)
    for (const kind of ['todo', 'contact'] as const)
      for (const side of ['dingtalk', 'outlook'] as const) await poll(person, kind, side);
  expect({ dingtalk: dingtalkWrites(), graph: graphWrites() }).toEqual(before);
});
