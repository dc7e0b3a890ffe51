import {
  dingtalkWith as dingtalkOf,
  expectNoEchoWrites as noEcho,
  outlookWith as outlookOf,
} from './support/calendars';
import { startPipeline, type Pipeline } from './support/pipeline';

/**
 * The product end to end: webhooks, hints, queue, worker, engine, both adapters, both fakes. Each scenario changes
 * one side as a person would, waits for quiet, and checks the other side, the absence of duplicates and that our own
 * writes never come back as changes.
 */
let p: Pipeline;

const tomorrow = (hour: number) => {
  const d = new Date(Date.now() + 86400e3);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00`;
};
const person = (id: string) => p.people.find((x) => x.entraId === id || x.unionId === id)!;
const outlookWith = (entraId: string, subject: string) => outlookOf(p, person(entraId), subject);
const dingtalkWith = (unionId: string, subject: string) => dingtalkOf(p, person(unionId), subject);
const expectNoEchoWrites = () => noEcho(p);

beforeAll(async () => {
  p = await startPipeline();
  await p.onboard();
}, 60000);

afterAll(async () => {
  await p?.stop();
});

test('the first maintenance run pairs users by e-mail and subscribes to their calendars', async () => {
  const pairs = await p.app.stores.users.list();
  expect(pairs.map((x) => x.email).sort()).toEqual(p.people.map((x) => x.email).sort());
  expect(p.graph.control.subscriptions()).toHaveLength(p.people.length);
  expect((await p.app.stores.subscriptions.listAll()).every((s) => s.clientStateHash.length > 0)).toBe(true);
});

test('a DingTalk event appears once in Outlook, and the echo writes nothing back', async () => {
  const [zhang] = p.people;
  const before = p.writes();
  p.dingtalk.control.userCreatesEvent(zhang.unionId, {
    summary: 'Supplier review 供应商评审',
    description: 'with 50% more',
    start: { dateTime: `${tomorrow(10)}+08:00`, timeZone: 'Asia/Shanghai' },
    end: { dateTime: `${tomorrow(11)}+08:00`, timeZone: 'Asia/Shanghai' },
    location: { displayName: 'Room 301' },
  });
  await p.quiet();
  const mirrored = outlookWith(zhang.entraId, 'Supplier review 供应商评审');
  expect(mirrored).toHaveLength(1);
  expect((mirrored[0].location as { displayName: string }).displayName).toBe('Room 301');
  expect(p.writes()).toEqual({ graph: before.graph + 1, dingtalk: before.dingtalk });
  await expectNoEchoWrites();
});

test('an Outlook edit reaches DingTalk, an Outlook event appears once in DingTalk, no echoes', async () => {
  const [zhang, alice] = p.people;
  const [mirror] = outlookWith(zhang.entraId, 'Supplier review 供应商评审');
  const before = p.writes();
  p.graph.control.updateEvent(zhang.entraId, String(mirror.id), { subject: 'Supplier review (moved)' });
  p.graph.control.createEvent(alice.entraId, {
    subject: 'Client call',
    body: { contentType: 'text', content: 'Agenda' },
    start: { dateTime: tomorrow(15), timeZone: 'Europe/London' },
    end: { dateTime: tomorrow(16), timeZone: 'Europe/London' },
  });
  await p.quiet();
  expect(dingtalkWith(zhang.unionId, 'Supplier review (moved)')).toHaveLength(1);
  expect(dingtalkWith(alice.unionId, 'Client call')).toHaveLength(1);
  expect(p.writes()).toEqual({ graph: before.graph, dingtalk: before.dingtalk + 2 });
  await expectNoEchoWrites();
});

test('an Outlook meeting with attendees reaches DingTalk without invitations, and the echo never strips its attendees', async () => {
  const [, , bob] = p.people;
  const created = p.graph.control.createEvent(bob.entraId, {
    subject: 'Design review',
    start: { dateTime: tomorrow(9), timeZone: 'UTC' },
    end: { dateTime: tomorrow(10), timeZone: 'UTC' },
    attendees: [{ emailAddress: { address: 'client@fabrikam.com', name: 'Client' }, type: 'required' }],
  });
  await p.quiet();
  expect(dingtalkWith(bob.unionId, 'Design review')).toHaveLength(1);
  await expectNoEchoWrites();
  const after = p.graph.control.getEvent(bob.entraId, String(created.id))!;
  expect((after.attendees as unknown[]).length).toBe(1);

  // DingTalk never holds Outlook's attendees; an edit made there must not strip them from the meeting.
  const [copy] = dingtalkWith(bob.unionId, 'Design review');
  p.dingtalk.control.userUpdatesEvent(bob.unionId, String(copy.id), { summary: 'Design review v2' });
  await p.quiet();
  const edited = p.graph.control.getEvent(bob.entraId, String(created.id))!;
  expect(edited.subject).toBe('Design review v2');
  expect(edited.attendees).toEqual(after.attendees);
  await expectNoEchoWrites();
});

test('dropped Graph notifications are recovered through missed and the sweep', async () => {
  const [, alice] = p.people;
  p.graph.control.dropNotifications(1);
  p.graph.control.createEvent(alice.entraId, {
    subject: 'Lost notification',
    start: { dateTime: tomorrow(12), timeZone: 'UTC' },
    end: { dateTime: tomorrow(13), timeZone: 'UTC' },
  });
  await p.quiet();
  expect(dingtalkWith(alice.unionId, 'Lost notification')).toHaveLength(1);
  await expectNoEchoWrites();
});

test('duplicated and reordered notifications and callbacks create nothing twice', async () => {
  const [zhang] = p.people;
  p.graph.control.duplicateNotifications(3);
  p.dingtalk.control.setCallbackBehaviour({ duplicateProbability: 1, duplicateCount: 2 });
  p.dingtalk.control.userCreatesEvent(zhang.unionId, {
    summary: 'Twice announced',
    start: { dateTime: `${tomorrow(14)}+08:00`, timeZone: 'Asia/Shanghai' },
    end: { dateTime: `${tomorrow(15)}+08:00`, timeZone: 'Asia/Shanghai' },
  });
  await p.quiet();
  expect(outlookWith(zhang.entraId, 'Twice announced')).toHaveLength(1);
  p.dingtalk.control.setCallbackBehaviour({ duplicateProbability: 0 });
  await expectNoEchoWrites();
});

test('a deletion in DingTalk removes the mirror in Outlook', async () => {
  const [zhang] = p.people;
  const [event] = dingtalkWith(zhang.unionId, 'Supplier review (moved)');
  p.dingtalk.control.userDeletesEvent(zhang.unionId, String(event.id));
  await p.quiet();
  expect(outlookWith(zhang.entraId, 'Supplier review (moved)')).toHaveLength(0);
  await expectNoEchoWrites();
});

test('every write was audited', async () => {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const rows = await p.app.stores.audit.listDay(day);
  const writes = rows.filter((r) => ['create', 'update', 'delete'].includes(r.action));
  expect(writes.length).toBeGreaterThanOrEqual(6);
  expect(writes.every((r) => r.pairId && r.kind === 'calendar' && r.side && r.reason)).toBe(true);
});
