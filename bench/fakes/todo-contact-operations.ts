import type { FakeDingTalk } from '../../sandbox/dingtalk';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import type { BenchPerson } from '../pipeline/people';

export type TodoContactKind = 'todo' | 'contact';
export type TodoContactSide = 'dingtalk' | 'outlook';

/** One person's item, named by its title (to-do subject, contact name): titles are unique within a run. */
export interface TitledItem {
  person: BenchPerson;
  title: string;
}

/** A change the bench waits to see on the other side, and the key it reports it under. */
export interface PendingArrival extends TitledItem {
  key: string;
  kind: TodoContactKind;
  /** Where it should show: the side the change was not made on. */
  side: TodoContactSide;
}

/** The list and the folder the product creates in each mailbox (docs/todo-mapping.md, docs/contacts-mapping.md). */
const TODO_LIST = 'DingTalk';
const CONTACT_FOLDER = 'DingTalk 外部联系人';

interface Side {
  /** Made as the person would in that app (not through the API: no meter, no request log). */
  create(person: BenchPerson, title: string): void;
  titles(person: BenchPerson): Array<{ id: string; title: string }>;
  rename(person: BenchPerson, id: string, title: string): void;
  remove(person: BenchPerson, id: string): void;
}

/**
 * People working on to-dos and external contacts in the DingTalk app and in Outlook (the fakes' control APIs), and
 * what each side shows, for the to-do and contact figures. Nothing here goes through the request logs the bench
 * counts.
 */
export function createTodoContactOperations(graph: FakeGraph, dingtalk: FakeDingTalk) {
  const dt = dingtalk.control;
  const userids = new Map<string, string>();
  const useridOf = (person: BenchPerson) => {
    let userid = userids.get(person.unionId);
    if (!userid) {
      userid = dt.users().find((u) => u.unionid === person.unionId)?.userid;
      if (!userid) throw new Error(`no DingTalk user with unionId ${person.unionId}`);
      userids.set(person.unionId, userid);
    }
    return userid;
  };
  // DingTalk fixes a contact's mobile number at creation; distinct numbers keep contacts apart in any matching.
  let mobiles = 0;
  const nextMobile = () => `139${String(10_000_000 + ++mobiles).slice(-8)}`;

  const sides: Record<TodoContactKind, Record<TodoContactSide, Side>> = {
    todo: {
      dingtalk: {
        create: (person, title) => void dt.userCreatesTodo(person.unionId, { subject: title }),
        titles: (person) =>
          dt.todosOf(person.unionId).map((t) => ({ id: String(t.id), title: String(t.subject) })),
        rename: (person, id, title) => void dt.userEditsTodo(person.unionId, id, { subject: title }),
        remove: (person, id) => dt.userDeletesTodo(person.unionId, id),
      },
      outlook: {
        create: (person, title) =>
          void graph.control.todo.userCreatesTask(person.entraId, { title }, TODO_LIST),
        titles: (person) =>
          graph.control.todo
            .todoTasks(person.entraId, TODO_LIST)
            .map((t) => ({ id: String(t.id), title: String(t.title) })),
        rename: (person, id, title) => void graph.control.todo.userUpdatesTask(person.entraId, id, { title }),
        remove: (person, id) => void graph.control.todo.userDeletesTask(person.entraId, id),
      },
    },
    contact: {
      dingtalk: {
        create: (person, title) =>
          void dt.userAddsExtContact(useridOf(person), {
            name: title,
            company_name: 'Bench Trading Co.',
            mobile: nextMobile(),
            state_code: '86',
          }),
        titles: (person) =>
          dt.extContactsOf(useridOf(person)).map((c) => ({ id: String(c.userid), title: String(c.name) })),
        rename: (person, id, title) => void dt.userEditsExtContact(useridOf(person), id, { name: title }),
        remove: (person, id) => dt.userDeletesExtContact(useridOf(person), id),
      },
      outlook: {
        create: (person, title) =>
          void graph.control.contacts.userCreatesContact(person.entraId, CONTACT_FOLDER, {
            displayName: title,
            companyName: 'Bench Trading Co.',
            mobilePhone: `+86 ${nextMobile()}`,
          }),
        titles: (person) =>
          graph.control.contacts
            .contactsIn(person.entraId, CONTACT_FOLDER)
            .map((c) => ({ id: String(c.id), title: String(c.displayName) })),
        rename: (person, id, title) =>
          void graph.control.contacts.userEditsContact(person.entraId, id, { displayName: title }),
        remove: (person, id) => void graph.control.contacts.userDeletesContact(person.entraId, id),
      },
    },
  };
  const idOf = (side: Side, item: TitledItem) => {
    const id = side.titles(item.person).find((t) => t.title === item.title)?.id;
    if (!id) throw new Error(`no item titled "${item.title}"`);
    return id;
  };

  return {
    /** Before pairing: each person's DingTalk to-dos and the external contacts they follow, as an org has them. */
    seedTodoContactHistory: (people: BenchPerson[], history: { todos: number; contacts: number }) => {
      for (const [u, person] of people.entries()) {
        for (let i = 0; i < history.todos; i++)
          sides.todo.dingtalk.create(person, `Existing to-do u${u}.${i}`);
        for (let i = 0; i < history.contacts; i++)
          sides.contact.dingtalk.create(person, `Existing contact u${u}.${i}`);
      }
    },
    /** Creates one item per entry; answers when (this process's Date.now(), which the bench shares). */
    tcCreate: (kind: TodoContactKind, side: TodoContactSide, items: TitledItem[]): number => {
      for (const item of items) sides[kind][side].create(item.person, item.title);
      return Date.now();
    },
    tcRename: (kind: TodoContactKind, side: TodoContactSide, items: Array<TitledItem & { to: string }>) => {
      const s = sides[kind][side];
      for (const item of items) s.rename(item.person, idOf(s, item), item.to);
      return Date.now();
    },
    tcDelete: (kind: TodoContactKind, side: TodoContactSide, items: TitledItem[]) => {
      const s = sides[kind][side];
      for (const item of items) s.remove(item.person, idOf(s, item));
      return Date.now();
    },
    /** How many of the items show on the side, each in its own person's list or folder (copies beyond one apart). */
    tcCount: (kind: TodoContactKind, side: TodoContactSide, items: TitledItem[]) => {
      let present = 0;
      let copies = 0;
      for (const item of items) {
        const n = sides[kind][side].titles(item.person).filter((t) => t.title === item.title).length;
        if (n > 0) present++;
        copies += n;
      }
      return { present, duplicates: copies - present };
    },
    /** The pending changes that show now on their side, with when (this process's Date.now()). */
    tcArrivals: (pending: PendingArrival[]) => {
      const at = Date.now();
      return pending
        .filter((p) => sides[p.kind][p.side].titles(p.person).some((t) => t.title === p.title))
        .map((p) => ({ key: p.key, at }));
    },
  };
}

export type TodoContactOperations = ReturnType<typeof createTodoContactOperations>;
