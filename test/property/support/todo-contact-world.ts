import { randomBytes } from 'node:crypto';
import {
  DINGTALK_CONTACT_FOLDER,
  DingTalkContactAdapter,
} from '../../../shared/connectors/dingtalk/contact-adapter';
import { DingTalkHttpClient } from '../../../shared/connectors/dingtalk/http-client';
import { QpsLimiter } from '../../../shared/connectors/dingtalk/qps-limiter';
import { DINGTALK_TODO_FOLDER, DingTalkTodoAdapter } from '../../../shared/connectors/dingtalk/todo-adapter';
import { DingTalkTokenProvider } from '../../../shared/connectors/dingtalk/token-provider';
import {
  createGraphConnector,
  OUTLOOK_CONTACT_FOLDER,
  OUTLOOK_CONTACT_FOLDER_NAME,
  OutlookContactAdapter,
  OutlookContactFolders,
  type GraphConnector,
} from '../../../shared/connectors/graph';
import { OUTLOOK_TODO_FOLDER, OutlookTodoAdapter } from '../../../shared/connectors/graph/todo-adapter';
import { DINGTALK_TODO_LIST_NAME, OutlookTodoLists } from '../../../shared/connectors/graph/todo-list';
import type { Clock } from '../../../shared/platform/clock';
import { contactMerge, type ContactCard } from '../../../shared/sync/contact-card';
import { runPull, type PullResult } from '../../../shared/sync/pull';
import { PullFailedError } from '../../../shared/sync/pull-errors';
import type { RecordMerge } from '../../../shared/sync/record-merge';
import { SyncError } from '../../../shared/sync/errors';
import { todoMerge, type TodoTask } from '../../../shared/sync/todo-task';
import type { Kind, RemoteItem, Side, SideAdapter, SyncPolicy, UserRef } from '../../../shared/sync/types';
import { isDeletion, otherSide, TransientRemoteError } from '../../../shared/sync/types';
import { startFakeDingTalk, type FakeDingTalk } from '../../../sandbox/dingtalk';
import { startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import {
  AdapterFaultPlan,
  faultyAdapter,
  SimulatedCrash,
  type Fault,
  type WriteCounter as BaseWriteCounter,
} from './faults';
import { MemoryAuditSink, MemoryIntentStore, MemoryLinkStore } from './memory-stores';

/**
 * To-dos and contacts through the real adapters (DingTalk todo_1_0 and external contacts; Microsoft To Do and an
 * Outlook contact folder) against the sandbox fakes, driven by runPull with in-memory links, intents and audit.
 * Both fakes are started once per suite; each run gets a DingTalk colleague and an Outlook mailbox of its own, so
 * runs do not see each other's items.
 */

/** What a deployment that turns on deletes passes; the field merge decides conflicts, newest-wins the rest. */
const POLICY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'propagate',
  bulkDeleteMaxShare: 1,
  dryRun: false,
};

export const TIME_ZONE = 'Asia/Shanghai';
const APP = { appKey: 'dingpropertyapp', appSecret: 'property-app-secret', corpId: 'dingpropertycorp' };

/** DingTalk's group a new org has (类型), plus one the test adds, so that contacts carry labels of two groups. */
export const LABELS = ['客户', '供应商', '合作伙伴', '重要', '一般'] as const;
/** What DingTalk gives a contact whose card names no label: the org's first one. */
export const DEFAULT_LABEL = '客户';
/** A category of the person's own: never a DingTalk label, so it must stay in Outlook and never travel. */
export const OWN_CATEGORY = '私人';

/**
 * Every reading is a millisecond later than the one before, as real time is between two requests: DingTalk's
 * to-do watermark has millisecond resolution. `advance` is the time a person takes between two actions.
 */
export class SteadyClock implements Clock {
  private current = Date.parse('2026-11-22T08:00:00Z');

  now(): number {
    this.current += 1;
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** Writes that returned, and every update that took effect (a crash right after it included). */
export interface WriteCounter extends BaseWriteCounter {
  updated: Array<{ side: Side; id: string }>;
}

export interface Sandbox {
  clock: SteadyClock;
  dingtalk: FakeDingTalk;
  graph: FakeGraph;
  connector: GraphConnector;
  client: DingTalkHttpClient;
  /** Paths of every DingTalk API request sent, faulted ones included (the fake records only the others). */
  sent: string[];
  /** A DingTalk colleague and an Outlook mailbox of their own, both empty. */
  newUser(): UserRef;
  stop(): Promise<void>;
}

export async function startSandbox(): Promise<Sandbox> {
  const clock = new SteadyClock();
  // The fake's per-second QPS gate counts on the test clock, which runs a millisecond per reading: no QPS model.
  const dingtalk = await startFakeDingTalk({ ...APP, clock, qpsLimit: Number.MAX_SAFE_INTEGER });
  // Whether DingTalk lets an app write the to-dos people make in its app is undocumented; the product handles
  // both answers, and this suite takes the one under which every to-do can converge.
  dingtalk.control.setTodoOptions({ nativeWritable: true });
  dingtalk.control.addExtContactLabelGroup('级别', ['重要', '一般']);
  const tokens = new DingTalkTokenProvider({ apiBase: dingtalk.url, ...APP }, { clock });
  const sent: string[] = [];
  const noWait = async () => undefined;
  const client = new DingTalkHttpClient({
    apiBase: dingtalk.url,
    oapiBase: dingtalk.url,
    tokens,
    clock,
    // QPS refusals are retried as in production (three times), without the waits; the limiter would hold the
    // suite to 20 calls a second per API.
    sleep: noWait,
    limiter: new QpsLimiter({ limit: 1_000_000, sleep: noWait }),
    requestTimeoutMs: 10_000,
    fetch: async (input, init) => {
      sent.push(new URL(String(input)).pathname);
      return fetch(input, init);
    },
  });
  const graph = await startFakeGraph({ clock });
  const connector = createGraphConnector(
    {
      graph: {
        tenantId: 'sandbox-tenant',
        clientId: 'sandbox-client',
        clientSecret: 'sandbox-graph-secret',
        authorityHost: graph.url,
        baseUrl: graph.url,
      },
      sync: {
        conflictPolicy: POLICY.conflict,
        deletePolicy: POLICY.deletes,
        bulkDeleteMaxShare: POLICY.bulkDeleteMaxShare,
        dryRun: false,
        calendarWindowPastDays: 30,
        calendarWindowFutureDays: 365,
      },
    },
    // Retries are real (three attempts of an idempotent call), their waits are not.
    { clock, retryHooks: { sleep: noWait } },
  );
  let serial = 0;
  const newUser = (): UserRef => {
    serial += 1;
    const tag = `${serial}-${randomBytes(3).toString('hex')}`;
    const email = `run${tag}@contoso.example`;
    const colleague = dingtalk.control.addUser({
      userid: `user${tag}`,
      name: `Run ${tag}`,
      org_email: email,
    });
    const mailbox = graph.control.addUser({
      userPrincipalName: email,
      displayName: `Run ${tag}`,
      mail: email,
    });
    return {
      pairId: `pair-${tag}`,
      dingtalkUserId: colleague.userid,
      dingtalkUnionId: colleague.unionid,
      entraId: mailbox.id,
      email,
    };
  };
  return {
    clock,
    dingtalk,
    graph,
    connector,
    client,
    sent,
    newUser,
    stop: async () => {
      await dingtalk.stop();
      await graph.stop();
    },
  };
}

export type PullOutcome =
  { result: PullResult; error?: undefined } | { result?: undefined; error: PullFailedError };

/** Whether a failed pull failed the way a fault makes pulls fail (and not by a bug). */
export function isExpectedFailure(err: PullFailedError): boolean {
  const cause = err.cause;
  return (
    cause instanceof SimulatedCrash ||
    cause instanceof TransientRemoteError ||
    (cause instanceof SyncError && cause.retryable)
  );
}

/** The DingTalk ids and versions of a pair's live links of the run's kind. */
type LinkedIds = (user: UserRef) => Promise<Array<{ id: string; version?: string }>>;

interface Wiring<P> {
  kind: Kind;
  folders: Record<Side, string>;
  merge: RecordMerge<P>;
  /**
   * The adapters a (re)started process makes, and DingTalk's as a poll of DingTalk holds it: told the pair's linked
   * ids, as the worker wires it (shared/app/services.ts), so it sees a copy deleted before it was ever listed.
   */
  adapters(linked: LinkedIds): Record<Side, SideAdapter<P>> & { polled: SideAdapter<P> };
  /** Fake API requests that write this kind for this user, since the fakes' logs were last cleared. */
  serverWrites(): number;
}

/** One run: a pair's two accounts, the engine's stores and cursors, and the adapters as one process holds them. */
export class SyncRun<P> {
  readonly plan = new AdapterFaultPlan();
  readonly links = new MemoryLinkStore(this.plan);
  readonly intents = new MemoryIntentStore(this.plan);
  readonly audit = new MemoryAuditSink(this.plan);
  readonly cursors: Partial<Record<Side, string>> = {};
  readonly counter: WriteCounter = { writes: 0, updated: [] };
  readonly sides: Record<Side, SideAdapter<P>>;
  restarts = 0;
  private current: Record<Side, SideAdapter<P>> & { polled: SideAdapter<P> };
  /** The side the running pull polls: a poll of DingTalk lists it through the adapter that knows the links. */
  private polling: Side | undefined;

  constructor(
    readonly sandbox: Sandbox,
    readonly user: UserRef,
    private readonly wiring: Wiring<P>,
  ) {
    // Each run reads the fakes' logs from its own start: what a pull sent, faulted and wrote is this run's.
    sandbox.sent.length = 0;
    sandbox.dingtalk.control.clearExchanges();
    sandbox.graph.control.clearRequests();
    this.current = wiring.adapters(this.linked);
    const dingtalk = () => (this.polling === 'dingtalk' ? this.current.polled : this.current.dingtalk);
    this.sides = {
      dingtalk: faultyAdapter(dingtalk, 'dingtalk', wiring.kind, this.plan, this.counter),
      outlook: faultyAdapter(() => this.current.outlook, 'outlook', wiring.kind, this.plan, this.counter),
    };
  }

  /** The process died: what its adapters held in memory (memos of creates, recent reads, rosters) is gone. */
  restart(): void {
    this.current = this.wiring.adapters(this.linked);
    this.restarts += 1;
  }

  /** As the worker reads them (shared/app/services.ts): the links store's own listing, faults included. */
  private readonly linked: LinkedIds = async (user) =>
    (await this.links.listLinks(user, this.wiring.kind))
      .filter((l) => !l.tombstone && l.dingtalkId && l.outlookId)
      .map((l) => ({ id: l.dingtalkId!, version: l.dingtalkVersion }));

  async pull(side: Side, fault?: Fault): Promise<PullOutcome> {
    this.plan.arm(fault);
    this.polling = side;
    try {
      const there = otherSide(side);
      const result = await runPull<P>({
        user: this.user,
        pulled: { adapter: this.sides[side], folder: this.wiring.folders[side] },
        other: { adapter: this.sides[there], folder: this.wiring.folders[there] },
        cursor: this.cursors[side],
        links: this.links,
        intents: this.intents,
        audit: this.audit,
        policy: POLICY,
        now: () => this.sandbox.clock.now(),
        hashProjection: this.wiring.merge.hash,
        fieldMerge: this.wiring.merge,
      });
      if (result.outcome === 'synced') this.cursors[side] = result.cursor;
      return { result };
    } catch (err) {
      if (!(err instanceof PullFailedError)) throw err;
      if (err.cause instanceof SimulatedCrash) this.restart();
      return { error: err };
    } finally {
      this.plan.disarm();
      this.polling = undefined;
    }
  }

  /** Fault-free pulls of both sides until a round writes nothing; more than `rounds` would be a loop. */
  async quiesce(rounds = 6): Promise<void> {
    for (let round = 0; round < rounds; round += 1) {
      const before = this.activity();
      for (const side of ['dingtalk', 'outlook'] as const) {
        const outcome = await this.pull(side);
        if (outcome.error) throw outcome.error.cause;
      }
      if (this.activity() === before) return;
    }
    throw new Error(`${this.wiring.kind} did not settle within ${rounds} fault-free rounds: a loop`);
  }

  /** Adapter writes plus link saves: what a quiet round must not change. */
  activity(): number {
    return this.counter.writes * 1_000_000 + this.links.saves;
  }

  serverWrites(): number {
    return this.wiring.serverWrites();
  }

  /** Every item one side holds now, as a restarted process's adapter maps it (a full listing, all pages). */
  async canonical(side: Side): Promise<RemoteItem<P>[]> {
    const adapter = this.wiring.adapters(async () => [])[side];
    const items: RemoteItem<P>[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await adapter.listChanges(this.user, this.wiring.folders[side], cursor);
      for (const change of page.changes) if (!isDeletion(change)) items.push(change);
      cursor = page.nextCursor;
      if (!page.more) return items;
    }
  }
}

/** The faulted DingTalk requests since `from` (an index into `sandbox.sent` and into the fake's exchanges). */
export function dingtalkFaultHits(
  sandbox: Sandbox,
  path: string,
  from: { sent: number; exchanges: number },
): number {
  const sent = sandbox.sent.slice(from.sent).filter((p) => p.includes(path)).length;
  const answered = sandbox.dingtalk.control
    .exchanges()
    .slice(from.exchanges)
    .filter((x) => x.path.includes(path)).length;
  return sent - answered;
}

const countWrites = (sandbox: Sandbox, dingtalkOps: RegExp, graphPath: RegExp): number => {
  const dingtalk = sandbox.dingtalk.control.exchanges().filter((x) => dingtalkOps.test(x.operation)).length;
  const graph = ['POST', 'PATCH', 'DELETE']
    .map((method) => sandbox.graph.control.countRequests(method, graphPath))
    .reduce((a, b) => a + b, 0);
  return dingtalk + graph;
};

// --- to-dos

/** An item as its owner sees it in the app: its id there, and its subject (to-do) or name (contact). */
export interface ItemView {
  id: string;
  name: string;
  /** Outlook contacts only: every category, the person's own included. */
  categories?: string[];
}

/** A pair's to-dos as their owners see and change them: the DingTalk app and Microsoft To Do. */
export class TodoDesk {
  constructor(
    private readonly sandbox: Sandbox,
    private readonly user: UserRef,
  ) {}

  /** The to-dos in which the colleague is executor or creator, as DingTalk shows them. */
  dingtalk(): ItemView[] {
    return this.sandbox.dingtalk.control.todosOf(this.user.dingtalkUnionId).map((t) => ({
      id: String(t.id),
      name: String(t.subject ?? ''),
    }));
  }

  /** The tasks of the product's list ("DingTalk"); none while it does not exist. */
  outlook(): ItemView[] {
    const todo = this.sandbox.graph.control.todo;
    const hasList = todo.todoLists(this.user.entraId).some((l) => l.displayName === DINGTALK_TODO_LIST_NAME);
    if (!hasList) return [];
    return todo
      .todoTasks(this.user.entraId, DINGTALK_TODO_LIST_NAME)
      .map((t) => ({ id: String(t.id), name: String(t.title ?? '') }));
  }

  list(side: Side): ItemView[] {
    return side === 'dingtalk' ? this.dingtalk() : this.outlook();
  }

  createInDingTalk(fields: Record<string, unknown>): void {
    this.sandbox.dingtalk.control.userCreatesTodo(this.user.dingtalkUnionId, fields);
  }

  editInDingTalk(id: string, patch: Record<string, unknown>): void {
    if (patch.done === true && Object.keys(patch).length === 1)
      this.sandbox.dingtalk.control.userCompletesTodo(this.user.dingtalkUnionId, id);
    else this.sandbox.dingtalk.control.userEditsTodo(this.user.dingtalkUnionId, id, patch);
  }

  deleteInDingTalk(id: string): void {
    this.sandbox.dingtalk.control.userDeletesTodo(this.user.dingtalkUnionId, id);
  }

  /**
   * A task added to the product's list. The list is the product's: when the person adds a task before the first
   * sync made it, it is made the way the adapter makes it.
   */
  async createInOutlook(body: Record<string, unknown>): Promise<void> {
    await new OutlookTodoLists(this.sandbox.connector.api).listIdFor(this.user);
    this.sandbox.graph.control.todo.userCreatesTask(this.user.entraId, body, DINGTALK_TODO_LIST_NAME);
  }

  editInOutlook(id: string, patch: Record<string, unknown>): void {
    if (patch.status === 'completed' && Object.keys(patch).length === 1)
      this.sandbox.graph.control.todo.userCompletesTask(this.user.entraId, id);
    else this.sandbox.graph.control.todo.userUpdatesTask(this.user.entraId, id, patch);
  }

  deleteInOutlook(id: string): void {
    this.sandbox.graph.control.todo.userDeletesTask(this.user.entraId, id);
  }
}

export function newTodoRun(sandbox: Sandbox): { run: SyncRun<TodoTask>; desk: TodoDesk } {
  const user = sandbox.newUser();
  const graphPath = new RegExp(`/users/${user.entraId}/todo/`);
  const run = new SyncRun<TodoTask>(sandbox, user, {
    kind: 'todo',
    folders: { dingtalk: DINGTALK_TODO_FOLDER, outlook: OUTLOOK_TODO_FOLDER },
    merge: todoMerge,
    adapters: (linked) => {
      const dingtalk = new DingTalkTodoAdapter({
        client: sandbox.client,
        timeZone: TIME_ZONE,
        clock: sandbox.clock,
      });
      return {
        dingtalk,
        polled: dingtalk.withKnownLinks(linked),
        outlook: new OutlookTodoAdapter({ api: sandbox.connector.api, timeZone: TIME_ZONE }),
      };
    },
    serverWrites: () =>
      countWrites(
        sandbox,
        /^(CreateTodoTask|UpdateTodoTask|UpdateTodoTaskExecutorStatus|DeleteTodoTask)$/,
        graphPath,
      ),
  });
  return { run, desk: new TodoDesk(sandbox, user) };
}

// --- contacts

/** A pair's contacts as their owners see and change them: DingTalk's external contacts and the Outlook folder. */
export class ContactDesk {
  constructor(
    private readonly sandbox: Sandbox,
    private readonly user: UserRef,
  ) {}

  /** The external contacts the colleague follows. */
  dingtalk(): ItemView[] {
    return this.sandbox.dingtalk.control
      .extContactsOf(this.user.dingtalkUserId)
      .map((c) => ({ id: String(c.userid), name: String(c.name ?? '') }));
  }

  /** The contacts of the product's folder; none while it does not exist. */
  outlook(): ItemView[] {
    const contacts = this.sandbox.graph.control.contacts;
    const hasFolder = contacts
      .contactFolders(this.user.entraId)
      .some((f) => f.displayName === OUTLOOK_CONTACT_FOLDER_NAME);
    if (!hasFolder) return [];
    return contacts.contactsIn(this.user.entraId, OUTLOOK_CONTACT_FOLDER_NAME).map((c) => ({
      id: String(c.id),
      name: String(c.displayName ?? ''),
      categories: (c.categories as string[] | undefined) ?? [],
    }));
  }

  list(side: Side): ItemView[] {
    return side === 'dingtalk' ? this.dingtalk() : this.outlook();
  }

  labelIds(names: readonly string[]): number[] {
    const all = this.sandbox.dingtalk.control.extContactLabelGroups().flatMap((g) => g.labels);
    return names.map((n) => {
      const label = all.find((l) => l.name === n);
      if (!label) throw new Error(`no DingTalk label ${n}`);
      return label.id;
    });
  }

  createInDingTalk(fields: Record<string, unknown>): void {
    this.sandbox.dingtalk.control.userAddsExtContact(this.user.dingtalkUserId, fields);
  }

  editInDingTalk(id: string, patch: Record<string, unknown>): void {
    this.sandbox.dingtalk.control.userEditsExtContact(this.user.dingtalkUserId, id, patch);
  }

  deleteInDingTalk(id: string): void {
    this.sandbox.dingtalk.control.userDeletesExtContact(this.user.dingtalkUserId, id);
  }

  /** A contact added to the product's folder (made the way the adapter makes it, if the first sync has not yet). */
  async createInOutlook(body: Record<string, unknown>): Promise<void> {
    await new OutlookContactFolders(this.sandbox.connector.api).folderId(this.user);
    this.sandbox.graph.control.contacts.userCreatesContact(
      this.user.entraId,
      OUTLOOK_CONTACT_FOLDER_NAME,
      body,
    );
  }

  editInOutlook(id: string, patch: Record<string, unknown>): void {
    this.sandbox.graph.control.contacts.userEditsContact(this.user.entraId, id, patch);
  }

  deleteInOutlook(id: string): void {
    this.sandbox.graph.control.contacts.userDeletesContact(this.user.entraId, id);
  }

  /** External contacts are org-wide: the run's are removed so that later runs' roster listings stay small. */
  removeAll(): void {
    for (const c of this.dingtalk()) this.deleteInDingTalk(c.id);
  }
}

export function newContactRun(sandbox: Sandbox): { run: SyncRun<ContactCard>; desk: ContactDesk } {
  const user = sandbox.newUser();
  const graphPath = new RegExp(`/users/${user.entraId}/(contactFolders|contacts)`);
  const run = new SyncRun<ContactCard>(sandbox, user, {
    kind: 'contact',
    folders: { dingtalk: DINGTALK_CONTACT_FOLDER, outlook: OUTLOOK_CONTACT_FOLDER },
    merge: contactMerge,
    adapters: (linked) => {
      // A roster of age 0: every listing reads the org's contacts again, so each pull sees the latest edits.
      const own = new DingTalkContactAdapter({
        client: sandbox.client,
        clock: sandbox.clock,
        rosterMaxAgeMs: 0,
      });
      const outlook = new OutlookContactAdapter({
        api: sandbox.connector.api,
        clock: sandbox.clock,
      }).withLabels((name) => own.labels.isLabel(name));
      const polled = own.withKnownLinks(linked);
      return { dingtalk: own, polled, outlook };
    },
    serverWrites: () => countWrites(sandbox, /^\/topapi\/extcontact\/(create|update|delete)$/, graphPath),
  });
  return { run, desk: new ContactDesk(sandbox, user) };
}
