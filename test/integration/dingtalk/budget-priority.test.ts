import { MonthlyBudgetGovernor } from '../../../shared/connectors/dingtalk/budget-governor';
import {
  DINGTALK_CONTACT_FOLDER,
  DingTalkContactAdapter,
} from '../../../shared/connectors/dingtalk/contact-adapter';
import { QuotaExhaustedError } from '../../../shared/connectors/dingtalk/errors';
import { DINGTALK_TODO_FOLDER, DingTalkTodoAdapter } from '../../../shared/connectors/dingtalk/todo-adapter';
import { ManualClock } from '../../../shared/platform/clock';
import type { UserRef } from '../../../shared/sync/types';
import { calendarEvent } from '../../support/calendar-event';
import { type Harness, startHarness } from './support/harness';

/**
 * Push-driven work may spend the monthly quota's reserve; background work may not. The worker says which a pull is
 * on the UserRef it hands the adapters (UserRef.priority), and every DingTalk adapter must carry it into each
 * metered call it makes, including the org-wide listings a pull starts (the contact roster, the label catalogue).
 */
const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
let h: Harness;
let budget: MonthlyBudgetGovernor;

beforeEach(async () => {
  // 10 calls for background work, 10 more kept for push-driven work.
  budget = new MonthlyBudgetGovernor({ monthlyQuota: 20, reserveShare: 0.5, clock });
  h = await startHarness({ clock, budget });
  for (let i = 0; i < 10; i++) await budget.consume('spent by earlier background work');
});

afterEach(() => h.stop());

const push = (user: UserRef): UserRef => ({ ...user, priority: 'push' });
const refused = (work: Promise<unknown>) => expect(work).rejects.toBeInstanceOf(QuotaExhaustedError);

test('calendar: a background create is refused, the same create pushed goes through', async () => {
  const event = calendarEvent({
    subject: 'Budget review',
    start: { local: '2026-11-24T09:00:00', timeZone: 'Asia/Shanghai' },
    end: { local: '2026-11-24T10:00:00', timeZone: 'Asia/Shanghai' },
  });
  await refused(h.adapter.create(h.alice, event, 'origin-background'));
  const created = await h.adapter.create(push(h.alice), event, 'origin-push');
  expect(h.fake.control.calendarOf(h.alice.dingtalkUnionId).map((e) => e.id)).toContain(created.id);
  await refused(h.adapter.listChanges({ ...h.alice, priority: 'background' }, 'primary', undefined));
  expect((await h.adapter.listChanges(push(h.alice), 'primary', undefined)).changes).toHaveLength(1);
  expect(h.fake.control.usage().metered).toBe(2);
});

test('to-dos: every call of a pushed create is charged as push', async () => {
  const todos = new DingTalkTodoAdapter({ client: h.client, clock });
  const task = { subject: 'File the report', body: '', done: false, importance: 'normal' as const };
  await refused(todos.create(h.alice, task, 'dms-background'));
  const created = await todos.create(push(h.alice), task, 'dms-push');
  expect(h.fake.control.todosOf(h.alice.dingtalkUnionId).map((t) => t.id)).toContain(created.id);
  expect(
    (await todos.listChanges(push(h.alice), DINGTALK_TODO_FOLDER, undefined)).changes.length,
  ).toBeGreaterThan(0);
});

test('contacts: the label catalogue and the roster a pushed pull reads are charged as push', async () => {
  const contacts = new DingTalkContactAdapter({ client: h.client, clock, rosterMaxAgeMs: 60_000 });
  const card = {
    name: '王五',
    company: '钉钉',
    title: '',
    email: '',
    mobile: '+86 13088888888',
    address: '',
    notes: '',
    labels: [],
  };
  await refused(contacts.create(h.alice, card, 'origin-background'));
  await refused(contacts.listChanges(h.alice, DINGTALK_CONTACT_FOLDER, undefined));
  await contacts.create(push(h.alice), card, 'origin-push');
  const page = await contacts.listChanges(push(h.alice), DINGTALK_CONTACT_FOLDER, undefined);
  expect(page.changes.map((c) => ('projection' in c ? c.projection.name : undefined))).toEqual(['王五']);
  expect((await budget.status()).used).toBe(10 + h.fake.control.usage().metered);
});
