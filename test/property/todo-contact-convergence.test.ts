import fc from 'fast-check';
import type { FaultSpec as GraphFaultSpec } from '../../sandbox/graph/faults';
import type { FaultKind as DingTalkFaultKind } from '../../sandbox/dingtalk';
import { localToInstant } from '../../shared/sync/zoned-time';
import type { ContactCard } from '../../shared/sync/contact-card';
import type { TodoImportance, TodoTask } from '../../shared/sync/todo-task';
import type { RemoteItem, Side } from '../../shared/sync/types';
import { otherSide } from '../../shared/sync/types';
import { fastCheckRuns, runsFrom } from '../support/randomness';
import { SimulatedCrash, type Fault } from './support/faults';
import {
  DEFAULT_LABEL,
  dingtalkFaultHits,
  isExpectedFailure,
  LABELS,
  newContactRun,
  newTodoRun,
  OWN_CATEGORY,
  startSandbox,
  TIME_ZONE,
  type ItemView,
  type Sandbox,
  type SyncRun,
} from './support/todo-contact-world';

/**
 * Convergence of to-dos and contacts through the real adapters: DingTalk's todo_1_0 and external contacts against
 * the sandbox DingTalk, Microsoft To Do and the Outlook contact folder against the sandbox Graph, driven by runPull
 * as the worker drives them (field merge, deletes propagated). Random scenarios of items made, edited and deleted
 * on both sides by their owners, and pulls of either side that may crash before or after any adapter or store
 * call, or meet 429/503 from either fake. After quiet: every item exactly once on each side (or, for an Outlook
 * contact without a mobile number, which DingTalk refuses, in Outlook only), both sides equal on every field both
 * hold, each field as its owner last set it where the scenario makes that unambiguous, DingTalk's value for the
 * fields only DingTalk can write, deletions propagated, and one more round writes nothing. Not generated: the few
 * interleavings of documented limitations (see dingtalkFault and play, excluded), whose outcome the
 * scenarios at the end assert instead.
 */
const RUNS = runsFrom('PROPERTY_RUNS', 100);
const MAX_ITEMS = 4;

type Rule = 'both' | 'dingtalk-owned' | 'outlook-only';
type Values = Record<string, unknown>;

const side = fc.constantFrom<Side>('dingtalk', 'outlook');

// --- faults

type PullFault =
  | { t: 'engine'; fault: Fault }
  | { t: 'dingtalk'; kind: DingTalkFaultKind; times: number; method?: string }
  | { t: 'graph'; spec: GraphFaultSpec };

const faultKind: fc.Arbitrary<Fault['kind']> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom<Fault['kind']>('crash-before', 'crash-after') },
  { weight: 1, arbitrary: fc.constantFrom<Fault['kind']>('throttle', 'server-error', 'timeout-after') },
);
/** The calls whose interruption leaves the most behind: the writes, and what records them. */
const WRITE_STEPS = [
  'dingtalk.create',
  'outlook.create',
  'dingtalk.update',
  'outlook.update',
  'dingtalk.delete',
  'outlook.delete',
  'intents.put',
  'intents.remove',
  'links.save',
  'audit.record',
];
const engineFault: fc.Arbitrary<Fault> = fc.oneof(
  // An idle pull makes three or four calls, one with changes a dozen or more.
  fc.record({
    atCall: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 16 })),
    kind: faultKind,
  }),
  fc.record({
    atStep: fc.constantFrom(...WRITE_STEPS),
    occurrence: fc.integer({ min: 1, max: 2 }),
    kind: faultKind,
  }),
);
/**
 * Tries of the call that ticks off a to-do copied done (UpdateTodoTask, a PUT after CreateTodoTask), which the
 * DingTalk to-do adapter retries on a transient failure (todo-adapter.ts, tickOff).
 */
const TICK_OFF_TRIES = 3;
const dingtalkFault = fc
  .record({
    t: fc.constant('dingtalk' as const),
    // QPS refusals are retried three times by the client: up to three are absorbed, four fail the call.
    kind: fc.constantFrom<DingTalkFaultKind>('qpsLimit', 'systemBusy', 'serverError'),
    times: fc.integer({ min: 1, max: 4 }),
    method: fc.constantFrom<string | undefined>(undefined, 'GET', 'POST', 'PUT'),
  })
  // Excluded: a busy or failing DingTalk that refuses every try of the tick-off. That is a crash between
  // CreateTodoTask and UpdateTodoTask as far as the sync can tell, a documented limitation (docs/todo-mapping.md):
  // crash recovery finds an open copy it cannot tell from one a person reopened, and reopens the Outlook task.
  // Nothing else lost by the cap: no other PUT is retried on these errors, so a single one already fails its pull.
  .map((f) =>
    f.method === 'PUT' && f.kind !== 'qpsLimit' ? { ...f, times: Math.min(f.times, TICK_OFF_TRIES - 1) } : f,
  );
const graphFault = fc.record({
  status: fc.constantFrom(429, 503),
  method: fc.constantFrom<string | undefined>(undefined, 'GET', 'POST', 'PATCH'),
  // Idempotent calls are retried three times: one or two failures are absorbed, three fail the call.
  count: fc.integer({ min: 1, max: 3 }),
  retryAfterSeconds: fc.constantFrom<number | undefined>(undefined, 1),
});
const pullFault: fc.Arbitrary<PullFault> = fc.oneof(
  { weight: 3, arbitrary: engineFault.map((fault) => ({ t: 'engine' as const, fault })) },
  { weight: 2, arbitrary: dingtalkFault },
  { weight: 2, arbitrary: graphFault.map((spec) => ({ t: 'graph' as const, spec })) },
);

type Step<C, E> =
  | ({ t: 'create'; side: Side } & C)
  | { t: 'edit'; side: Side; pick: number; edit: E }
  | { t: 'delete'; side: Side; pick: number }
  | { t: 'pull'; side: Side; fault?: PullFault };

function scenario<C, E>(create: fc.Arbitrary<C>, edit: fc.Arbitrary<E>): fc.Arbitrary<Step<C, E>[]> {
  const creates = fc
    .tuple(side, create)
    .map(([s, c]) => ({ t: 'create' as const, side: s, ...c }) as Step<C, E>);
  const step: fc.Arbitrary<Step<C, E>> = fc.oneof(
    { weight: 3, arbitrary: creates },
    {
      weight: 5,
      arbitrary: fc.record({ t: fc.constant('edit' as const), side, pick: fc.nat(), edit }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), side, pick: fc.nat() }) },
    {
      weight: 6,
      arbitrary: fc.record({
        t: fc.constant('pull' as const),
        side,
        fault: fc.option(pullFault, { freq: 2, nil: undefined }),
      }),
    },
  );
  // Up to 14 steps, the first one a create so that there is always something to sync.
  return fc.tuple(creates, fc.array(step, { maxLength: 13 })).map(([first, rest]) => [first, ...rest]);
}

// --- the model: what each owner did, and what that makes the outcome

interface Change {
  side: Side;
  at: number;
  field: string;
  value: unknown;
  /** The item was on both sides when it was changed (before that, the copy is made from the changed item). */
  both: boolean;
}

interface Item {
  tag: string;
  origin: Side;
  /** Canonical values as the origin's owner made the item. */
  created: Values;
  changes: Change[];
  deletes: { side: Side; at: number }[];
  /** Contacts: made in Outlook without a mobile number. */
  mobileless?: boolean;
  /** Outlook contacts: made with a category of the person's own. */
  ownCategory?: boolean;
}

interface PullRecord {
  side: Side;
  at: number;
  ok: boolean;
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const canonical = (v: unknown) => (isEmpty(v) ? null : v);

type Expected = { value: unknown } | { contested: true };

/** The value of the last of these changes, or `otherwise` when there is none. */
const lastOf = (changes: Change[], otherwise: unknown): unknown =>
  changes.length > 0 ? changes[changes.length - 1]!.value : otherwise;

/**
 * A field both sides hold: the value the copy was made with (the origin's, as last changed before the copy
 * existed), unless changed since; then the last change, if every change of the other side before it had been
 * pulled by a pull that completed before it (otherwise both sides changed it between two syncs, and the engine's
 * merge picks the pulled side: equality is all that is asserted).
 */
function expectShared(item: Item, field: string, pulls: PullRecord[]): Expected {
  const ofField = item.changes.filter((c) => c.field === field);
  const before = ofField.filter((c) => !c.both);
  const after = ofField.filter((c) => c.both);
  if (after.length === 0) return { value: lastOf(before, item.created[field]) };
  const last = after.at(-1)!;
  const settled = after.every(
    (c) =>
      c.side === last.side || pulls.some((p) => p.ok && p.side === c.side && p.at > c.at && p.at < last.at),
  );
  return settled ? { value: last.value } : { contested: true };
}

/**
 * A field only DingTalk can write after creation: DingTalk holds what its owner set (or what the copy was made
 * with), and Outlook holds DingTalk's value, or, while DingTalk's is empty, what Outlook's owner last set.
 */
function expectOwned(
  item: Item,
  field: string,
  copied: (field: string, value: unknown) => unknown,
): { dingtalk: unknown; outlook: unknown } {
  const ofField = item.changes.filter((c) => c.field === field);
  const made =
    item.origin === 'dingtalk'
      ? item.created[field]
      : copied(
          field,
          lastOf(
            ofField.filter((c) => c.side === 'outlook' && !c.both),
            item.created[field],
          ),
        );
  const dingtalk = lastOf(
    ofField.filter((c) => c.side === 'dingtalk'),
    made,
  );
  const outlookOwn = lastOf(
    ofField.filter((c) => c.side === 'outlook'),
    item.origin === 'outlook' ? item.created[field] : undefined,
  );
  return { dingtalk, outlook: isEmpty(dingtalk) ? outlookOwn : dingtalk };
}

/**
 * A delete on one side propagates unless the other side changed the item without that change having been pulled
 * by a completed pull before the delete (then the edit may beat the delete: presence is only asserted equal).
 */
function deleteIsClean(item: Item, del: { side: Side; at: number }, pulls: PullRecord[]): boolean {
  const there = otherSide(del.side);
  return item.changes
    .filter((c) => c.side === there)
    .every(
      (c) => c.at < del.at && pulls.some((p) => p.ok && p.side === there && p.at > c.at && p.at < del.at),
    );
}

// --- the kinds

const TAG = /^([TC]\d+) /;
const tagOf = (name: string) => TAG.exec(name)?.[1];

interface KindSpec<P, C> {
  name: 'todo' | 'contact';
  rules: Record<string, Rule>;
  /** The fake API path prefix DingTalk faults are injected on, and the Graph one for a mailbox. */
  dingtalkPath: string;
  graphPath(entraId: string): string;
  nameOf(projection: P): string;
  /** The canonical values of a create step. */
  created(create: C, tag: string, on: Side): Values;
  /** What DingTalk holds of a DingTalk-owned field of an Outlook item when the copy is made. */
  copied(field: string, value: unknown): unknown;
  mobileless?(create: C, on: Side): boolean;
  ownCategory?(create: C, on: Side): boolean;
}

/** The two apps, as the tests drive them: create, edit (answering the canonical value it set), delete. */
interface Desk<C, E> {
  list(side: Side): ItemView[];
  create(side: Side, create: C, tag: string): Promise<void>;
  edit(side: Side, view: ItemView, edit: E, tag: string): unknown;
  remove(side: Side, id: string): void;
}

// To-dos

type TodoField = 'subject' | 'body' | 'dueDate' | 'done' | 'importance' | 'reminderAt';
const TODO_RULES: Record<TodoField, Rule> = {
  subject: 'both',
  body: 'both',
  dueDate: 'both',
  done: 'both',
  importance: 'dingtalk-owned',
  reminderAt: 'outlook-only',
};
const SUBJECTS = ['报关单已放行', 'Send the minutes', '确认 PO-2026-118', 'Shift plan'];
const BODIES = ['', '请在周五前完成', 'Line one\nLine two', '附件见邮件 😀'];
const DUE_DAYS = ['2026-12-01', '2026-12-24', '2027-01-15'];
/** DingTalk's due time of day; 23:59 is how DingTalk keeps a due day without one. */
const DUE_TIMES = ['23:59', '10:30'];
const IMPORTANCES: TodoImportance[] = ['low', 'normal', 'high'];
/** DingTalk's priorities: 10 low, 20 normal, 30 urgent and 40 very urgent (both high). */
const PRIORITIES: Record<TodoImportance, number[]> = { low: [10], normal: [20], high: [30, 40] };
/** Reminders set in To Do, on the owner's clock; DingTalk takes one on create and never shows it. */
const REMINDERS = ['2026-11-30T09:00', '2026-12-20T18:30'];
const reminderAt = (local: string) =>
  new Date(localToInstant(`${local}:00`, TIME_ZONE)).toISOString().replace('.000Z', 'Z');
const reminderInOutlook = (local: string) => ({
  reminderDateTime: { dateTime: `${local}:00.0000000`, timeZone: 'China Standard Time' },
  isReminderOn: true,
});

interface TodoCreate {
  subject: number;
  body: number;
  due?: number;
  dueTime: number;
  done: boolean;
  importance: TodoImportance;
  priority: number;
  /** Outlook only. */
  reminder?: number;
}
type TodoEdit = { field: TodoField; value: number; variant: number };

const todoCreate: fc.Arbitrary<TodoCreate> = fc.record({
  subject: fc.nat(SUBJECTS.length - 1),
  body: fc.nat(BODIES.length - 1),
  due: fc.option(fc.nat(DUE_DAYS.length - 1), { nil: undefined }),
  dueTime: fc.nat(DUE_TIMES.length - 1),
  done: fc.boolean(),
  importance: fc.constantFrom(...IMPORTANCES),
  priority: fc.nat(1),
  reminder: fc.option(fc.nat(REMINDERS.length - 1), { nil: undefined }),
});
const todoEdit: fc.Arbitrary<TodoEdit> = fc.record({
  field: fc.constantFrom<TodoField>('subject', 'body', 'dueDate', 'done', 'importance', 'reminderAt'),
  value: fc.nat(9),
  variant: fc.nat(1),
});

const todoSpec: KindSpec<TodoTask, TodoCreate> = {
  name: 'todo',
  rules: TODO_RULES,
  dingtalkPath: '/v1.0/todo/',
  graphPath: (entraId) => `/users/${entraId}/todo`,
  nameOf: (p) => p.subject,
  created: (c, tag, on) => ({
    subject: `${tag} ${SUBJECTS[c.subject]}`,
    body: BODIES[c.body],
    dueDate: c.due === undefined ? undefined : DUE_DAYS[c.due],
    done: c.done,
    importance: c.importance,
    reminderAt: on === 'outlook' && c.reminder !== undefined ? reminderAt(REMINDERS[c.reminder]!) : undefined,
  }),
  copied: (_field, value) => value,
};

const dueMs = (day: string, time: string) => localToInstant(`${day}T${time}:00`, TIME_ZONE);
/** How To Do clients write a due day: midnight of it, in the zone they name (Windows names, as Outlook uses). */
const dueInOutlook = (day: string) => ({
  dateTime: `${day}T00:00:00.0000000`,
  timeZone: 'China Standard Time',
});

function todoDesk(desk: ReturnType<typeof newTodoRun>['desk']): Desk<TodoCreate, TodoEdit> {
  return {
    list: (s) => desk.list(s),
    async create(s, c, tag) {
      const v = todoSpec.created(c, tag, s) as Required<Pick<TodoTask, 'subject' | 'body' | 'done'>> & {
        dueDate?: string;
        importance: TodoImportance;
      };
      if (s === 'dingtalk') {
        const priorities = PRIORITIES[v.importance];
        desk.createInDingTalk({
          subject: v.subject,
          ...(v.body ? { description: v.body } : {}),
          ...(v.dueDate ? { dueTime: dueMs(v.dueDate, DUE_TIMES[c.dueTime]!) } : {}),
          // DingTalk's app leaves a new to-do's priority unset unless one is chosen: unset reads as normal.
          ...(v.importance === 'normal' && c.priority === 0
            ? {}
            : { priority: priorities[c.priority % priorities.length] }),
          ...(v.done ? { done: true } : {}),
        });
      } else {
        await desk.createInOutlook({
          title: v.subject,
          body: { content: v.body, contentType: 'text' },
          importance: v.importance,
          status: v.done ? 'completed' : 'notStarted',
          ...(v.dueDate ? { dueDateTime: dueInOutlook(v.dueDate) } : {}),
          ...(c.reminder === undefined ? {} : reminderInOutlook(REMINDERS[c.reminder]!)),
        });
      }
    },
    edit(s, view, e, tag) {
      let value: unknown;
      let dingtalk: Record<string, unknown>;
      let outlook: Record<string, unknown>;
      switch (e.field) {
        case 'subject':
          value = `${tag} ${SUBJECTS[e.value % SUBJECTS.length]}`;
          dingtalk = { subject: value };
          outlook = { title: value };
          break;
        case 'body':
          value = BODIES[e.value % BODIES.length];
          dingtalk = { description: value };
          outlook = { body: { content: value, contentType: 'text' } };
          break;
        case 'dueDate': {
          // A due day is moved, never removed: DingTalk's API cannot remove one (todo-mapper.ts, todoUpdateBody).
          const day = DUE_DAYS[e.value % DUE_DAYS.length]!;
          value = day;
          dingtalk = { dueTime: dueMs(day, DUE_TIMES[e.variant % DUE_TIMES.length]!) };
          outlook = { dueDateTime: dueInOutlook(day) };
          break;
        }
        case 'done':
          value = e.value % 2 === 0;
          dingtalk = { done: value };
          outlook = { status: value ? 'completed' : 'notStarted' };
          break;
        case 'importance': {
          const importance = IMPORTANCES[e.value % IMPORTANCES.length]!;
          const priorities = PRIORITIES[importance];
          value = importance;
          dingtalk = { priority: priorities[e.variant % priorities.length] };
          outlook = { importance };
          break;
        }
        case 'reminderAt': {
          const local = REMINDERS[e.value % REMINDERS.length]!;
          value = reminderAt(local);
          dingtalk = {};
          outlook = reminderInOutlook(local);
          break;
        }
      }
      if (s === 'dingtalk') desk.editInDingTalk(view.id, dingtalk);
      else desk.editInOutlook(view.id, outlook);
      return value;
    },
    remove: (s, id) => (s === 'dingtalk' ? desk.deleteInDingTalk(id) : desk.deleteInOutlook(id)),
  };
}

// Contacts

type ContactField = 'name' | 'company' | 'title' | 'email' | 'mobile' | 'address' | 'notes' | 'labels';
const CONTACT_RULES: Record<ContactField, Rule> = {
  name: 'both',
  company: 'both',
  title: 'both',
  email: 'dingtalk-owned',
  mobile: 'dingtalk-owned',
  address: 'both',
  notes: 'both',
  labels: 'both',
};
const NAMES = ['王五', '李雷', '韩梅梅', 'Zhang Wei'];
const COMPANIES = ['钉钉科技', 'Contoso Ltd', '阿里巴巴', ''];
const TITLES = ['采购经理', '销售总监', 'CTO', ''];
const ADDRESSES = ['杭州市余杭区文一西路969号', '望京东路 1 号, 北京', ''];
const NOTES = ['老客户', '技术负责人\n周三拜访', 'VIP', ''];
/** National numbers; the card holds them as "+86 <digits>". */
const MOBILES = ['13800138000', '13912345678', '18600001111'];
/** The same numbers as people type them in Outlook. */
const OUTLOOK_MOBILES = ['+86 13800138000', '+86 139 1234 5678', '186-0000-1111'];
const LABEL_SETS: string[][] = [['客户'], ['供应商'], ['合作伙伴', '重要'], ['一般', '客户']];

interface ContactCreate {
  name: number;
  company: number;
  title: number;
  email?: number;
  mobile?: number;
  address: number;
  notes: number;
  /** In Outlook: undefined means no DingTalk label, only (perhaps) the person's own category. */
  labels?: number;
  own: boolean;
}
type ContactEdit = { field: ContactField; value: number };

const contactCreate: fc.Arbitrary<ContactCreate> = fc.record({
  name: fc.nat(NAMES.length - 1),
  company: fc.nat(COMPANIES.length - 1),
  title: fc.nat(TITLES.length - 1),
  email: fc.option(fc.nat(2), { nil: undefined }),
  // Made in Outlook, a third of the contacts have no mobile number; in DingTalk every one has one.
  mobile: fc.option(fc.nat(MOBILES.length - 1), { freq: 3, nil: undefined }),
  address: fc.nat(ADDRESSES.length - 1),
  notes: fc.nat(NOTES.length - 1),
  labels: fc.option(fc.nat(LABEL_SETS.length - 1), { freq: 4, nil: undefined }),
  own: fc.boolean(),
});
const contactEdit: fc.Arbitrary<ContactEdit> = fc.record({
  field: fc.constantFrom<ContactField>(
    'name',
    'company',
    'title',
    'email',
    'mobile',
    'address',
    'notes',
    'labels',
  ),
  value: fc.nat(11),
});

const emailOf = (tag: string, variant: number) => `${tag.toLowerCase()}.v${variant}@customer.example`;
const sortedLabels = (names: readonly string[]) => [...new Set(names)].sort();

const contactSpec: KindSpec<ContactCard, ContactCreate> = {
  name: 'contact',
  rules: CONTACT_RULES,
  dingtalkPath: '/topapi/extcontact/',
  graphPath: (entraId) => `/users/${entraId}/contact`,
  nameOf: (p) => p.name,
  created: (c, tag, on) => {
    const mobile = on === 'dingtalk' ? (c.mobile ?? 0) : c.mobile;
    const labels = on === 'dingtalk' ? (c.labels ?? 0) : c.labels;
    return {
      name: `${tag} ${NAMES[c.name]}`,
      company: COMPANIES[c.company],
      title: TITLES[c.title],
      email: c.email === undefined ? '' : emailOf(tag, c.email),
      mobile: mobile === undefined ? '' : `+86 ${MOBILES[mobile]}`,
      address: ADDRESSES[c.address],
      notes: NOTES[c.notes],
      // A contact DingTalk gets without a label gets the org's first one, and Outlook then shows it too.
      labels: labels === undefined ? [DEFAULT_LABEL] : sortedLabels(LABEL_SETS[labels]!),
    };
  },
  // extcontact/create takes no e-mail (docs/contacts-mapping.md): DingTalk's copy has none.
  copied: (field, value) => (field === 'email' ? '' : value),
  mobileless: (c, on) => on === 'outlook' && c.mobile === undefined,
  ownCategory: (c, on) => on === 'outlook' && c.own,
};

const OUTLOOK_ADDRESS: Record<string, unknown> = {
  '望京东路 1 号, 北京': { street: '望京东路 1 号', city: '北京' },
};
const outlookAddress = (a: string) => (a ? (OUTLOOK_ADDRESS[a] ?? { street: a }) : null);

function contactDesk(desk: ReturnType<typeof newContactRun>['desk']): Desk<ContactCreate, ContactEdit> {
  return {
    list: (s) => desk.list(s),
    async create(s, c, tag) {
      const v = contactSpec.created(c, tag, s) as Record<ContactField, string> & { labels: string[] };
      if (s === 'dingtalk') {
        const optional = {
          company_name: v.company,
          title: v.title,
          address: v.address,
          remark: v.notes,
          email: v.email,
        };
        desk.createInDingTalk({
          name: v.name,
          mobile: MOBILES[c.mobile ?? 0],
          state_code: '86',
          label_ids: desk.labelIds(v.labels),
          ...Object.fromEntries(Object.entries(optional).filter(([, text]) => text !== '')),
        });
      } else {
        const labels = c.labels === undefined ? [] : LABEL_SETS[c.labels]!;
        const categories = [...labels, ...(c.own ? [OWN_CATEGORY] : [])];
        await desk.createInOutlook({
          displayName: v.name,
          ...(v.company ? { companyName: v.company } : {}),
          ...(v.title ? { jobTitle: v.title } : {}),
          ...(v.email ? { emailAddresses: [{ address: v.email, name: v.name }] } : {}),
          ...(c.mobile === undefined ? {} : { mobilePhone: OUTLOOK_MOBILES[c.mobile] }),
          ...(v.address ? { businessAddress: outlookAddress(v.address) } : {}),
          ...(v.notes ? { personalNotes: v.notes } : {}),
          ...(categories.length ? { categories } : {}),
        });
      }
    },
    edit(s, view, e, tag) {
      const pick = <T>(values: readonly T[]) => values[e.value % values.length]!;
      let value: unknown;
      let dingtalk: Record<string, unknown>;
      let outlook: Record<string, unknown>;
      switch (e.field) {
        case 'name':
          value = `${tag} ${pick(NAMES)}`;
          dingtalk = { name: value };
          outlook = { displayName: value };
          break;
        case 'company':
          value = pick(COMPANIES);
          dingtalk = { company_name: value };
          outlook = { companyName: value || null };
          break;
        case 'title':
          value = pick(TITLES);
          dingtalk = { title: value };
          outlook = { jobTitle: value || null };
          break;
        case 'email':
          // Set, never cleared: an empty DingTalk e-mail is "none", which leaves Outlook's as it is.
          value = emailOf(tag, e.value % 3);
          dingtalk = { email: value };
          outlook = { emailAddresses: [{ address: value, name: view.name }] };
          break;
        case 'mobile': {
          const i = e.value % MOBILES.length;
          value = `+86 ${MOBILES[i]}`;
          dingtalk = { mobile: MOBILES[i] };
          outlook = { mobilePhone: OUTLOOK_MOBILES[i] };
          break;
        }
        case 'address':
          value = pick(ADDRESSES);
          dingtalk = { address: value };
          outlook = { businessAddress: outlookAddress(value as string) };
          break;
        case 'notes':
          value = pick(NOTES);
          dingtalk = { remark: value };
          outlook = { personalNotes: value || null };
          break;
        case 'labels': {
          // Never none: DingTalk requires a label, so a contact cannot lose its last one in either app.
          const labels = pick(LABEL_SETS);
          value = sortedLabels(labels);
          dingtalk = { label_ids: desk.labelIds(labels) };
          const own = (view.categories ?? []).filter((c) => !(LABELS as readonly string[]).includes(c));
          outlook = { categories: [...labels, ...own] };
          break;
        }
      }
      if (s === 'dingtalk') desk.editInDingTalk(view.id, dingtalk);
      else desk.editInOutlook(view.id, outlook);
      return value;
    },
    remove: (s, id) => (s === 'dingtalk' ? desk.deleteInDingTalk(id) : desk.deleteInOutlook(id)),
  };
}

// --- playing a scenario

/** Across runs, per kind: what the faults and changes actually did, so that the properties are not vacuous. */
function newStats() {
  return {
    runs: 0,
    creates: { dingtalk: 0, outlook: 0 },
    edits: { dingtalk: 0, outlook: 0 },
    /** Edits in Outlook of a field only DingTalk can write. */
    outlookEditsOfOwned: 0,
    deletes: 0,
    crashes: 0,
    engineFaults: 0,
    dingtalkFaultsHit: 0,
    graphFaultsHit: 0,
    failedPulls: 0,
    restarts: 0,
    /** Fields whose final value was checked against the owner's last change. */
    lastChangeChecks: 0,
    /** Fields changed on both sides between two syncs: checked for equality only. */
    contestedFields: 0,
    /** DingTalk-owned fields checked on both sides. */
    ownedChecks: 0,
    /** Outlook-only fields (a to-do's reminder) checked in Outlook. */
    outlookOnlyChecks: 0,
    cleanDeletes: 0,
    contestedDeletes: 0,
    /** Outlook contacts without a mobile number at quiet: refused by DingTalk, in Outlook alone. */
    refusedContacts: 0,
    /** Edits and deletes skipped as excluded interleavings (play, excluded). */
    excludedSteps: 0,
  };
}
type Stats = ReturnType<typeof newStats>;

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
}, 30_000);

afterAll(async () => {
  await sandbox?.stop();
});

interface Game<P, C, E extends { field: string }> {
  spec: KindSpec<P, C>;
  run: SyncRun<P>;
  desk: Desk<C, E>;
  stats: Stats;
}

async function play<P, C, E extends { field: string }>(
  game: Game<P, C, E>,
  steps: Step<C, E>[],
): Promise<void> {
  const { spec, run, desk, stats } = game;
  stats.runs += 1;
  const items = new Map<string, Item>();
  const pulls: PullRecord[] = [];
  const prefix = spec.name === 'todo' ? 'T' : 'C';
  const ours = (s: Side) =>
    desk
      .list(s)
      .filter((v) => items.has(tagOf(v.name) ?? ''))
      .sort((a, b) => (tagOf(a.name)! + a.id).localeCompare(tagOf(b.name)! + b.id));
  const holds = (s: Side, tag: string) => desk.list(s).some((v) => tagOf(v.name) === tag);
  /** The item's half on `s` is a copy whose create is not settled: a failed pull left the intent of making it. */
  const unsettledCopy = (s: Side, tag: string) => {
    const source = desk.list(otherSide(s)).find((v) => tagOf(v.name) === tag);
    return run.intents.all().some((i) => i.targetSide === s && i.sourceId === source?.id);
  };
  /** Ids whose update by a failed pull no pull of their side has listed since, so no link holds it yet. */
  const unlinkedUpdates: Record<Side, Set<string>> = { dingtalk: new Set(), outlook: new Set() };
  const unlinkedUpdate = (s: Side, tag: string) =>
    desk.list(s).some((v) => tagOf(v.name) === tag && unlinkedUpdates[s].has(v.id));
  /**
   * Excluded interleavings. Each is a person's change made between a failed pull and the pull that finishes its
   * work, which the engine cannot tell from a change made before that work, so crash recovery or the next pull
   * takes the wrong turn:
   * - deleting a copy whose create is not settled. For a DingTalk to-do this is a documented limitation: DingTalk
   *   keeps the deleted to-do's sourceId and refuses the re-create, which is audited for that item while the
   *   Outlook to-do stays unsynced (asserted below). For a DingTalk contact, and for an Outlook copy of either kind,
   *   recovery makes the copy again: the person's delete is undone, nothing is lost (same cause, not documented).
   * - editing the remark (notes) of a DingTalk contact copy whose create is not settled: the remark holds the
   *   invisible idempotency stamp, so recovery makes a second copy, and the edited one reaches Outlook as a contact
   *   of its own (a documented limitation, asserted below).
   * - deleting an item while the other half holds an update of ours no link records (the pull that wrote it failed,
   *   and that side has not been pulled since): the next pull takes our update for an edit made meanwhile, and the
   *   edit beats the delete, restoring the item on the side it was deleted from (nothing is lost; not documented;
   *   asserted below).
   * Every other change of an item in those states (any other edit, on either side) stays in the scenarios.
   */
  const excluded = (step: Step<C, E>, tag: string) =>
    (unsettledCopy(step.side, tag) &&
      (step.t === 'delete' ||
        (step.t === 'edit' &&
          spec.name === 'contact' &&
          step.side === 'dingtalk' &&
          step.edit.field === 'notes'))) ||
    (step.t === 'delete' && unlinkedUpdate(otherSide(step.side), tag));

  for (const [at, s] of steps.entries()) {
    sandbox.clock.advance(1000);
    switch (s.t) {
      case 'create': {
        if (items.size >= MAX_ITEMS) break;
        const tag = `${prefix}${items.size + 1}`;
        const create = s as unknown as C;
        await desk.create(s.side, create, tag);
        items.set(tag, {
          tag,
          origin: s.side,
          created: spec.created(create, tag, s.side),
          changes: [],
          deletes: [],
          mobileless: spec.mobileless?.(create, s.side),
          ownCategory: spec.ownCategory?.(create, s.side),
        });
        stats.creates[s.side] += 1;
        break;
      }
      case 'edit': {
        const live = ours(s.side);
        if (live.length === 0) break;
        // DingTalk's app has no reminder the API shows: only Outlook's owner sets one.
        if (s.side === 'dingtalk' && spec.rules[s.edit.field] === 'outlook-only') break;
        const view = live[s.pick % live.length]!;
        const tag = tagOf(view.name)!;
        if (excluded(s, tag)) {
          stats.excludedSteps += 1;
          break;
        }
        const both = holds(otherSide(s.side), tag);
        const value = desk.edit(s.side, view, s.edit, tag);
        items.get(tag)!.changes.push({ side: s.side, at, field: s.edit.field, value, both });
        stats.edits[s.side] += 1;
        if (s.side === 'outlook' && spec.rules[s.edit.field] === 'dingtalk-owned')
          stats.outlookEditsOfOwned += 1;
        break;
      }
      case 'delete': {
        const live = ours(s.side);
        if (live.length === 0) break;
        const view = live[s.pick % live.length]!;
        if (excluded(s, tagOf(view.name)!)) {
          stats.excludedSteps += 1;
          break;
        }
        desk.remove(s.side, view.id);
        items.get(tagOf(view.name)!)!.deletes.push({ side: s.side, at });
        stats.deletes += 1;
        break;
      }
      case 'pull': {
        const from = run.counter.updated.length;
        const failed = await pullWith(game, s.side, s.fault);
        pulls.push({ side: s.side, at, ok: !failed });
        if (!failed) unlinkedUpdates[s.side].clear();
        else for (const u of run.counter.updated.slice(from)) unlinkedUpdates[u.side].add(u.id);
        break;
      }
    }
  }

  await run.quiesce();
  stats.restarts += run.restarts;

  // Each side as a restarted process's adapter reads it, by tag; nothing but the scenario's items.
  const held = {
    dingtalk: await run.canonical('dingtalk'),
    outlook: await run.canonical('outlook'),
  };
  const bySide = (s: Side) => {
    const map = new Map<string, RemoteItem<P>[]>();
    for (const item of held[s]) {
      const tag = tagOf(spec.nameOf(item.projection)) ?? `(untagged ${item.id})`;
      map.set(tag, [...(map.get(tag) ?? []), item]);
    }
    return map;
  };
  const found = { dingtalk: bySide('dingtalk'), outlook: bySide('outlook') };
  for (const s of ['dingtalk', 'outlook'] as const) {
    const unknown = [...found[s].keys()].filter((tag) => !items.has(tag));
    expect({ side: s, unknown }).toEqual({ side: s, unknown: [] });
    const twice = [...found[s]].filter(([, list]) => list.length > 1).map(([tag]) => tag);
    expect({ side: s, duplicates: twice }).toEqual({ side: s, duplicates: [] });
  }

  for (const item of items.values()) {
    const present = {
      dingtalk: found.dingtalk.get(item.tag)?.[0],
      outlook: found.outlook.get(item.tag)?.[0],
    };
    const where = { dingtalk: present.dingtalk !== undefined, outlook: present.outlook !== undefined };
    const everMobile =
      !item.mobileless || item.changes.some((c) => c.field === 'mobile' && c.side === 'outlook');
    if (item.deletes.length > 0) {
      const clean = item.deletes.every((d) => deleteIsClean(item, d, pulls));
      if (clean) {
        stats.cleanDeletes += 1;
        expect({ tag: item.tag, where }).toEqual({
          tag: item.tag,
          where: { dingtalk: false, outlook: false },
        });
      } else {
        stats.contestedDeletes += 1;
        if (everMobile)
          expect({ tag: item.tag, on: where.outlook }).toEqual({ tag: item.tag, on: where.dingtalk });
      }
    } else if (!everMobile) {
      // DingTalk refuses it, for this item alone: in Outlook only, never copied, and audited as refused.
      stats.refusedContacts += 1;
      expect({ tag: item.tag, where }).toEqual({ tag: item.tag, where: { dingtalk: false, outlook: true } });
      const refusals = run.audit.rows.filter(
        (r) => r.action === 'failure' && r.outlookId === present.outlook!.id,
      );
      expect({ tag: item.tag, refused: refusals.length > 0 }).toEqual({ tag: item.tag, refused: true });
    } else {
      expect({ tag: item.tag, where }).toEqual({ tag: item.tag, where: { dingtalk: true, outlook: true } });
    }
    if (!present.dingtalk || !present.outlook) continue;
    const values = {
      dingtalk: present.dingtalk.projection as Values,
      outlook: present.outlook.projection as Values,
    };
    for (const [field, rule] of Object.entries(spec.rules)) {
      const dt = canonical(values.dingtalk[field]);
      const ol = canonical(values.outlook[field]);
      const got = { tag: item.tag, field, dingtalk: dt, outlook: ol };
      if (rule === 'both') {
        expect(got).toEqual({ ...got, outlook: dt });
        if (item.deletes.length > 0) continue;
        const expected = expectShared(item, field, pulls);
        if ('contested' in expected) {
          stats.contestedFields += 1;
          continue;
        }
        stats.lastChangeChecks += 1;
        expect(got).toEqual({
          ...got,
          dingtalk: canonical(expected.value),
          outlook: canonical(expected.value),
        });
      } else if (rule === 'outlook-only') {
        // Only Outlook holds it: what Outlook's owner last set stays, whatever DingTalk does.
        if (item.deletes.length > 0) continue;
        const expected = lastOf(
          item.changes.filter((c) => c.field === field),
          item.origin === 'outlook' ? item.created[field] : undefined,
        );
        stats.outlookOnlyChecks += 1;
        expect(got).toEqual({ ...got, outlook: canonical(expected) });
      } else {
        if (dt !== null) expect(got).toEqual({ ...got, outlook: dt });
        if (item.deletes.length > 0) continue;
        const expected = expectOwned(item, field, spec.copied);
        stats.ownedChecks += 1;
        expect(got).toEqual({
          ...got,
          dingtalk: canonical(expected.dingtalk),
          outlook: canonical(expected.outlook),
        });
      }
    }
  }

  // The person's own categories stay in Outlook.
  for (const view of desk.list('outlook')) {
    const item = items.get(tagOf(view.name) ?? '');
    if (item?.ownCategory && item.deletes.length === 0)
      expect({ tag: item.tag, categories: view.categories }).toEqual({
        tag: item.tag,
        categories: expect.arrayContaining([OWN_CATEGORY]),
      });
  }

  // Nothing is pending, and every refusal is DingTalk's for a missing mobile number: nothing else stalled.
  expect(run.intents.all()).toEqual([]);
  const refusals = run.audit.rows.filter((r) => r.action === 'failure').map((r) => r.reason);
  expect(refusals.filter((reason) => !/mobile number/.test(reason))).toEqual([]);

  // No write without a source change: one more round after quiet writes nothing, as the fakes count it.
  await expectQuietRound(run);
}

async function expectQuietRound<P>(run: SyncRun<P>): Promise<void> {
  sandbox.dingtalk.control.clearExchanges();
  sandbox.graph.control.clearRequests();
  const activity = run.activity();
  for (const s of ['dingtalk', 'outlook'] as const) {
    const outcome = await run.pull(s);
    if (outcome.error) throw outcome.error.cause;
  }
  expect({ serverWrites: run.serverWrites(), activity: run.activity() }).toEqual({
    serverWrites: 0,
    activity,
  });
}

/** One pull with its fault; true when the pull failed. A failure no injected fault explains fails the test. */
async function pullWith<P, C, E extends { field: string }>(
  game: Game<P, C, E>,
  target: Side,
  fault: PullFault | undefined,
): Promise<boolean> {
  const { run, spec, stats } = game;
  const from = { sent: sandbox.sent.length, exchanges: sandbox.dingtalk.control.exchanges().length };
  if (fault?.t === 'dingtalk') {
    sandbox.dingtalk.control.injectFault({
      path: spec.dingtalkPath,
      kind: fault.kind,
      times: fault.times,
      ...(fault.method ? { method: fault.method } : {}),
      ...(fault.kind === 'serverError' ? { status: 503 } : {}),
    });
  }
  const graphRule =
    fault?.t === 'graph'
      ? sandbox.graph.control.addFault({ ...fault.spec, path: spec.graphPath(run.user.entraId) })
      : undefined;
  const crashesBefore = (run.plan.fired['crash-before'] ?? 0) + (run.plan.fired['crash-after'] ?? 0);
  const firedBefore = run.plan.firedTotal();
  let outcome;
  try {
    outcome = await run.pull(target, fault?.t === 'engine' ? fault.fault : undefined);
  } finally {
    sandbox.dingtalk.control.clearFaults();
    sandbox.graph.control.clearFaults();
  }
  const crashes = (run.plan.fired['crash-before'] ?? 0) + (run.plan.fired['crash-after'] ?? 0);
  const fired = run.plan.firedTotal() - firedBefore;
  stats.crashes += crashes - crashesBefore;
  stats.engineFaults += fired;
  const dingtalkHit = fault?.t === 'dingtalk' && dingtalkFaultHits(sandbox, spec.dingtalkPath, from) > 0;
  const graphHit = (graphRule?.hits ?? 0) > 0;
  if (dingtalkHit) stats.dingtalkFaultsHit += 1;
  if (graphHit) stats.graphFaultsHit += 1;
  if (!outcome.error) return false;
  stats.failedPulls += 1;
  if (!(fired > 0 || dingtalkHit || graphHit) || !isExpectedFailure(outcome.error)) throw outcome.error.cause;
  return true;
}

function assertNotVacuous(stats: Stats): void {
  if (RUNS < 100) return;
  // The properties above hold for scenarios that really crashed, were throttled and changed both sides.
  expect(stats.creates.dingtalk).toBeGreaterThan(0);
  expect(stats.creates.outlook).toBeGreaterThan(0);
  expect(stats.edits.dingtalk).toBeGreaterThan(0);
  expect(stats.edits.outlook).toBeGreaterThan(0);
  expect(stats.outlookEditsOfOwned).toBeGreaterThan(0);
  expect(stats.crashes).toBeGreaterThan(0);
  expect(stats.restarts).toBeGreaterThan(0);
  expect(stats.dingtalkFaultsHit).toBeGreaterThan(0);
  expect(stats.graphFaultsHit).toBeGreaterThan(0);
  expect(stats.failedPulls).toBeGreaterThan(0);
  expect(stats.lastChangeChecks).toBeGreaterThan(0);
  expect(stats.ownedChecks).toBeGreaterThan(0);
  expect(stats.cleanDeletes).toBeGreaterThan(0);
}

type TodoStep = Step<TodoCreate, TodoEdit>;
type ContactStep = Step<ContactCreate, ContactEdit>;

async function playTodos(steps: TodoStep[], stats = newStats()): Promise<void> {
  const { run, desk } = newTodoRun(sandbox);
  await play({ spec: todoSpec, run, desk: todoDesk(desk), stats }, steps);
}

async function playContacts(steps: ContactStep[], stats = newStats()): Promise<void> {
  const { run, desk } = newContactRun(sandbox);
  try {
    await play({ spec: contactSpec, run, desk: contactDesk(desk), stats }, steps);
  } finally {
    desk.removeAll();
  }
}

test(`to-dos converge through the real adapters under edits on both sides, deletes and faults (${RUNS} runs)`, async () => {
  const stats = newStats();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(scenario(todoCreate, todoEdit), (steps) => playTodos(steps, stats)),
    fastCheckRuns(RUNS),
  );
  console.log(`to-do convergence: ${stats.runs} runs in ${Date.now() - started} ms`, JSON.stringify(stats));
  assertNotVacuous(stats);
  if (RUNS >= 100) expect(stats.outlookOnlyChecks).toBeGreaterThan(0);
}, 600_000);

test(`contacts converge through the real adapters under edits on both sides, deletes, refusals and faults (${RUNS} runs)`, async () => {
  const stats = newStats();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(scenario(contactCreate, contactEdit), (steps) => playContacts(steps, stats)),
    fastCheckRuns(RUNS),
  );
  console.log(`contact convergence: ${stats.runs} runs in ${Date.now() - started} ms`, JSON.stringify(stats));
  assertNotVacuous(stats);
  if (RUNS >= 100) expect(stats.refusedContacts).toBeGreaterThan(0);
}, 600_000);

/**
 * Counterexamples the properties found, shrunk, kept as fixed scenarios so that each stays covered (and can be
 * replayed on its own with -t) whatever the random seed. Those of documented limitations, which the properties no
 * longer generate, assert the limited outcome exactly, so that a change of it is noticed.
 */
describe('scenarios the properties found', () => {
  const todo = (on: Side, fields: Partial<TodoCreate> = {}): TodoStep => ({
    t: 'create',
    side: on,
    ...{ subject: 0, body: 0, dueTime: 0, done: false, importance: 'low' as const, priority: 0 },
    ...fields,
  });
  const contact = (on: Side, fields: Partial<ContactCreate> = {}): ContactStep => ({
    t: 'create',
    side: on,
    ...{ name: 0, company: 0, title: 0, address: 0, notes: 0, own: false },
    ...fields,
  });
  const pull = (on: Side, fault?: PullFault) => ({ t: 'pull' as const, side: on, fault });
  const crash = (kind: Fault['kind'], atStep: string): PullFault => ({
    t: 'engine',
    fault: { atStep, kind },
  });
  const edit = <E>(on: Side, e: E) => ({ t: 'edit' as const, side: on, pick: 0, edit: e });
  const remove = (on: Side) => ({ t: 'delete' as const, side: on, pick: 0 });

  test('an importance changed in Outlook is set back to DingTalk’s priority', () =>
    playTodos([
      todo('dingtalk', { importance: 'low' }),
      pull('dingtalk'),
      edit('outlook', { field: 'importance', value: 1, variant: 0 }),
    ]));

  test('a DingTalk edit keeps the reminder set in Outlook', () =>
    playTodos([
      todo('outlook', { reminder: 0 }),
      pull('outlook'),
      edit('dingtalk', { field: 'subject', value: 1, variant: 0 }),
    ]));

  test('a to-do done in Outlook stays done when completing its DingTalk copy fails', () =>
    playTodos([
      todo('outlook', { done: true }),
      pull('outlook', { t: 'dingtalk', kind: 'systemBusy', times: 1, method: 'PUT' }),
    ]));

  // A documented limitation (excluded from the properties, see play): the to-do stays in Outlook, unsynced.
  test('a DingTalk to-do copy deleted before its link was saved: the refused re-create is audited for that item, and no pull fails', async () => {
    const { run, desk: todos } = newTodoRun(sandbox);
    const desk = todoDesk(todos);
    await desk.create('outlook', todo('outlook') as unknown as TodoCreate, 'T1');
    const crashed = await run.pull('outlook', { atStep: 'links.save', kind: 'crash-before' });
    expect(crashed.error?.cause).toBeInstanceOf(SimulatedCrash);
    const [source] = desk.list('outlook');
    expect(run.intents.all()).toEqual([
      expect.objectContaining({ targetSide: 'dingtalk', sourceId: source!.id }),
    ]);
    desk.remove('dingtalk', desk.list('dingtalk')[0]!.id);

    // The replay's re-create, then the relisted Outlook to-do's, are refused; each pull goes on and succeeds.
    const replay = await run.pull('dingtalk');
    expect(replay.result?.stats).toMatchObject({ intentsReplayed: 1, refused: 1 });
    const relist = await run.pull('outlook');
    expect(relist.result?.stats).toMatchObject({ refused: 1 });
    await run.quiesce();

    expect({ dingtalk: desk.list('dingtalk'), outlook: desk.list('outlook') }).toEqual({
      dingtalk: [],
      outlook: [source],
    });
    expect(run.links.all()).toEqual([]);
    expect(run.intents.all()).toEqual([]);
    const refusals = run.audit.rows.filter((r) => r.action === 'failure');
    expect(refusals).toEqual([
      expect.objectContaining({
        side: 'dingtalk',
        outlookId: source!.id,
        reason: expect.stringMatching(/sourceId/),
      }),
      expect.objectContaining({
        side: 'dingtalk',
        outlookId: source!.id,
        reason: expect.stringMatching(/sourceId/),
      }),
    ]);
    await expectQuietRound(run);
  });

  // A documented limitation (excluded from the properties, see TICK_OFF_TRIES): as a crash between the two calls.
  test('a to-do copied done whose tick-off DingTalk refuses at every try is reopened in Outlook by the recovery', async () => {
    const { run, desk: todos } = newTodoRun(sandbox);
    const desk = todoDesk(todos);
    await desk.create('outlook', todo('outlook', { done: true }) as unknown as TodoCreate, 'T1');
    sandbox.dingtalk.control.injectFault({
      path: todoSpec.dingtalkPath,
      kind: 'systemBusy',
      method: 'PUT',
      times: TICK_OFF_TRIES,
    });
    const failed = await run.pull('outlook').finally(() => sandbox.dingtalk.control.clearFaults());
    expect(failed.error).toBeDefined();
    expect(run.intents.all()).toHaveLength(1);
    await run.quiesce();

    const done = async (s: Side) => (await run.canonical(s)).map((t) => t.projection.done);
    expect({ dingtalk: await done('dingtalk'), outlook: await done('outlook') }).toEqual({
      dingtalk: [false],
      outlook: [false],
    });
    expect(run.links.all()).toHaveLength(1);
    expect(run.intents.all()).toEqual([]);
    await expectQuietRound(run);
  });

  // A limitation of the same kind (excluded from the properties, see play): the delete is undone.
  test('an item deleted while the update a crashed pull made of its other half is unlinked is restored', async () => {
    const { run, desk: todos } = newTodoRun(sandbox);
    const desk = todoDesk(todos);
    await desk.create('outlook', todo('outlook') as unknown as TodoCreate, 'T1');
    expect((await run.pull('outlook')).error).toBeUndefined();
    const [original] = desk.list('outlook');
    const subject = desk.edit('outlook', original!, { field: 'subject', value: 1, variant: 0 }, 'T1');
    const crashed = await run.pull('outlook', { atStep: 'dingtalk.update', kind: 'crash-after' });
    expect(crashed.error?.cause).toBeInstanceOf(SimulatedCrash);
    desk.remove('outlook', original!.id);
    await run.quiesce();

    // The update reached DingTalk but no link: the next pull takes it for a DingTalk edit, which beats the delete.
    const subjects = async (s: Side) => (await run.canonical(s)).map((t) => t.projection.subject);
    expect({ dingtalk: await subjects('dingtalk'), outlook: await subjects('outlook') }).toEqual({
      dingtalk: [subject],
      outlook: [subject],
    });
    expect(desk.list('outlook').map((v) => v.id)).not.toContain(original!.id);
    expect(run.links.all().filter((l) => !l.tombstone)).toHaveLength(1);
    expect(run.intents.all()).toEqual([]);
    expect(run.audit.rows.map((r) => [r.action, r.side])).toEqual([
      ['create', 'dingtalk'],
      ['conflict', 'dingtalk'],
      ['create', 'outlook'],
    ]);
    await expectQuietRound(run);
  });

  test('a DingTalk to-do copy made and deleted between two DingTalk polls takes the Outlook to-do with it', () =>
    playTodos([todo('outlook'), pull('dingtalk'), pull('outlook'), remove('dingtalk')]));

  test('an Outlook contact without a label shows the label DingTalk gave its copy', () =>
    playContacts([contact('outlook', { mobile: 0 })]));

  test('a mobile number changed in Outlook is set back to DingTalk’s', () =>
    playContacts([
      contact('dingtalk', { mobile: 1, labels: 0 }),
      pull('dingtalk'),
      edit('outlook', { field: 'mobile', value: 0 }),
    ]));

  test('a DingTalk edit keeps the e-mail of a contact made in Outlook', () =>
    playContacts([
      contact('outlook', { email: 0, mobile: 0, labels: 0 }),
      pull('outlook'),
      edit('dingtalk', { field: 'name', value: 1 }),
    ]));

  test('a DingTalk contact copy made and deleted between two DingTalk polls takes the Outlook contact with it', () =>
    playContacts([
      contact('outlook', { mobile: 0, labels: 0 }),
      pull('dingtalk'),
      pull('outlook'),
      remove('dingtalk'),
    ]));

  test('a DingTalk contact edited and edited back between two DingTalk polls, after Outlook took the first edit, is set back in Outlook too', () =>
    playContacts([
      contact('dingtalk', { address: 1, mobile: 1, labels: 0 }),
      pull('dingtalk'),
      edit('dingtalk', { field: 'address', value: 0 }),
      edit('outlook', { field: 'email', value: 0 }),
      pull('outlook'),
      edit('dingtalk', { field: 'address', value: 1 }),
    ]));

  test('a copy DingTalk refuses while a crashed create is replayed is audited, and the pull goes on', () =>
    playContacts([
      contact('outlook', { labels: 0 }),
      pull('outlook', crash('crash-before', 'dingtalk.create')),
    ]));

  // A documented limitation (excluded from the properties, see play): the edited copy ends as a pair of its own.
  test('a DingTalk remark edit between a crash and its recovery erases the stamp: one duplicate on each side, each pair in sync', async () => {
    const { run, desk: contacts } = newContactRun(sandbox);
    const desk = contactDesk(contacts);
    try {
      await desk.create(
        'outlook',
        contact('outlook', { mobile: 0, labels: 0 }) as unknown as ContactCreate,
        'C1',
      );
      const crashed = await run.pull('outlook', { atStep: 'dingtalk.create', kind: 'crash-after' });
      expect(crashed.error?.cause).toBeInstanceOf(SimulatedCrash);
      const [source] = desk.list('outlook');
      const [edited] = desk.list('dingtalk');
      const remark = desk.edit('dingtalk', edited!, { field: 'notes', value: 1 }, 'C1');
      await run.quiesce();

      // Recovery no longer finds the copy and makes a second one for the Outlook contact; the edited copy, now
      // unlinked, is copied to Outlook like any contact made in DingTalk.
      const dingtalk = await run.canonical('dingtalk');
      const outlook = await run.canonical('outlook');
      expect({ dingtalk: dingtalk.length, outlook: outlook.length }).toEqual({ dingtalk: 2, outlook: 2 });
      const recovered = dingtalk.find((c) => c.id !== edited!.id)!;
      const editedCopy = outlook.find((c) => c.id !== source!.id)!;
      expect(
        run.links
          .all()
          .map((l) => [l.dingtalkId, l.outlookId])
          .sort(),
      ).toEqual(
        [
          [recovered.id, source!.id],
          [edited!.id, editedCopy.id],
        ].sort(),
      );
      const notes = (items: RemoteItem<ContactCard>[], id: string) =>
        items.find((c) => c.id === id)!.projection.notes;
      const made = NOTES[0];
      expect({
        recovered: notes(dingtalk, recovered.id),
        source: notes(outlook, source!.id),
        edited: notes(dingtalk, edited!.id),
        editedCopy: notes(outlook, editedCopy.id),
      }).toEqual({ recovered: made, source: made, edited: remark, editedCopy: remark });
      expect(run.intents.all()).toEqual([]);
      expect(run.audit.rows.filter((r) => r.action === 'failure')).toEqual([]);
      await expectQuietRound(run);
    } finally {
      contacts.removeAll();
    }
  });
});
