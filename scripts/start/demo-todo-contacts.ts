import type { FakeDingTalk } from '../../sandbox/dingtalk';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import type { DemoPerson } from './demo-org';
import { say } from './say';
import { waitFor } from './wait';

interface TodoContactsDemoParts {
  graph: FakeGraph;
  dingtalk: FakeDingTalk;
  people: DemoPerson[];
  todoPollSeconds: number;
  contactPollSeconds: number;
  signal: AbortSignal;
}

/** The product's own Outlook list and contact folder (the adapters create them on each user's first sync). */
const TODO_LIST = 'DingTalk';
const CONTACT_FOLDER = 'DingTalk 外部联系人';

type Row = Record<string, unknown>;

/**
 * A to-do made and ticked off in DingTalk becomes a completed task in Outlook's "DingTalk" list, and a contact
 * added to Outlook's "DingTalk 外部联系人" folder becomes one of the person's external contacts in DingTalk. Neither
 * service pushes these changes to an app: both are polled (the demo polls at the shortest intervals allowed).
 */
export async function runTodoContactsDemo(parts: TodoContactsDemoParts): Promise<void> {
  const { graph, dingtalk, people, signal } = parts;
  const [zhang, alice] = people;
  const stamp = new Date().toISOString().slice(11, 19);
  const todoWait = (parts.todoPollSeconds * 2 + 15) * 1000;

  const subject = `提交报关资料 Send the customs papers ${stamp}`;
  const dueDay = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const created = dingtalk.control.userCreatesTodo(zhang.unionId, {
    subject,
    description: '附上发票和装箱单。Attach the invoice and packing list.',
    // 17:00 China time on the due day.
    dueTime: Date.parse(`${dueDay}T17:00:00+08:00`),
  });
  say(`${zhang.name} adds a to-do in DingTalk: "${subject}", due ${dueDay} 17:00`);
  say(
    `  (to-dos are polled on both sides every ${parts.todoPollSeconds} s: neither service pushes them to an app)`,
  );
  const inOutlook = await waitFor(
    'the DingTalk to-do in Outlook',
    () => graph.control.todo.todoTasks(zhang.entraId, TODO_LIST).find((t) => t.title === subject),
    signal,
    todoWait,
  );
  // To Do keeps the due day as midnight in the writer's zone and answers in UTC: shown on the owner's clock.
  const dueUtc = (inOutlook.value.dueDateTime as { dateTime?: string } | undefined)?.dateTime;
  const due = dueUtc
    ? new Date(`${dueUtc.slice(0, 19)}Z`).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })
    : 'none';
  say(`✓ it is in ${zhang.name}'s Outlook To Do list "${TODO_LIST}" after ${inOutlook.ms} ms, due ${due}`);

  dingtalk.control.userCompletesTodo(zhang.unionId, created.id as string);
  say(`${zhang.name} ticks it off in DingTalk`);
  const done = await waitFor(
    'the to-do completed in Outlook',
    () =>
      graph.control.todo
        .todoTasks(zhang.entraId, TODO_LIST)
        .find((t) => t.id === inOutlook.value.id && t.status === 'completed'),
    signal,
    todoWait,
  );
  say(`✓ Outlook shows it completed after ${done.ms} ms`);

  const folder = await waitFor(
    `${alice.name}'s "${CONTACT_FOLDER}" folder in Outlook`,
    () =>
      graph.control.contacts.contactFolders(alice.entraId).find((f: Row) => f.displayName === CONTACT_FOLDER),
    signal,
    todoWait,
  );
  const name = `王芳 ${stamp}`;
  graph.control.contacts.userCreatesContact(alice.entraId, folder.value.id as string, {
    displayName: name,
    givenName: name,
    companyName: '上海远航物流有限公司',
    jobTitle: '采购经理',
    mobilePhone: '+86 138 0013 8000',
    emailAddresses: [{ address: 'wang.fang@yuanhang.example.cn', name }],
  });
  say(`${alice.name} adds ${name} (上海远航物流有限公司) to Outlook's "${CONTACT_FOLDER}" folder`);
  const inDingTalk = await waitFor(
    'the Outlook contact in DingTalk',
    () => dingtalk.control.extContactsOf(alice.userid).find((c: Row) => c.name === name),
    signal,
    (parts.contactPollSeconds * 2 + 15) * 1000,
  );
  say(
    `✓ it is one of ${alice.name}'s external contacts in DingTalk after ${inDingTalk.ms} ms ` +
      `(company ${String(inDingTalk.value.company_name)}, mobile ${String(inDingTalk.value.mobile)})`,
  );
}
