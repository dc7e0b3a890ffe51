import { createDingTalkConnectors, type DingTalkConnectors } from '../connectors/dingtalk';
import { createGraphConnector, expiryFor, type GraphConnector } from '../connectors/graph';
import { calendarContentHash, type SideEndpoint } from '../sync';
import type { FieldMerge } from '../sync/field-merge';
import { mailFieldMerge, mailHash } from '../sync/mail-message';
import { todoMerge } from '../sync/todo-task';
import { contactMerge } from '../sync/contact-card';
import type { Kind, LinkStore, Side, SideAdapter, SyncPolicy, UserRef } from '../sync/types';
import type { AppContext } from './context';
import { getAppContext } from './context';
import { contactChangeHints } from './contact-hints';
import { isPolled } from './folders';
import { pairsFromProgress } from './jobs/pairing';
import { PollCadence, type PollPace } from './pipeline/poll-cadence';
import { auditImportIssues, createMailSides, type MailSides } from './mail/mail-sides';
import { FOLDERS, type DirectorySources, type MaintenanceDeps } from './maintenance';
import { colleagueFolderFor } from './colleagues/colleague-folder';
import { knownItems } from './known-items';
import { withSeriesIds, type SeriesLinks } from './series-ids';
import type { SubscriptionsPort } from './subscriptions';
import type { EndpointsFor, KindRules, WorkerDeps } from './worker';

/** The remote side of the app: both services' clients and adapters, built once per process on first use. */
export interface Services {
  graph: GraphConnector;
  dingtalk: DingTalkConnectors;
  endpoints: EndpointsFor;
  directory: DirectorySources;
  policy: SyncPolicy;
  /** How often each polled side is pulled: configured, or slower where DingTalk's monthly quota says so. */
  cadence: PollPace;
  /** Closes what holds connections open (the IMAP connection pool), for a clean stop. */
  close(): Promise<void>;
}

export function createServices(app: AppContext): Services {
  const graph = createGraphConnector(app.config, {
    clock: app.clock,
    logger: app.log,
    todoTimeZone: app.config.todo.timeZone,
  });
  const dingtalk = createDingTalkConnectors(app.config.dingtalk, {
    counterStore: app.stores.dingtalkCalls,
    clock: app.clock,
    logger: app.log,
    calendarWindow: {
      pastDays: app.config.sync.calendarWindowPastDays,
      futureDays: app.config.sync.calendarWindowFutureDays,
    },
    todoTimeZone: app.config.todo.timeZone,
    contactRosterMaxAgeMs: app.config.contacts.pollIntervalMs,
  });
  // Occurrences name their series by the id on the side they were read from; see series-ids.ts.
  // A pull passes its own view of the links, so a series created earlier in the same pull is found.
  const committedLinks: SeriesLinks = {
    findBySideId: (user, kind, side, id) => app.stores.pairState.findLink(user.pairId, kind, side, id),
  };
  let mail: MailSides | undefined;
  const endpoints: EndpointsFor = (kind, links = committedLinks, pulled) => {
    if (kind === 'calendar') {
      // Only the listing a pull reconciles consults the links: the engine looks its ids up anyway, so the rows
      // they already hold cost neither a read nor a query (known-items.ts).
      const outlook =
        pulled === 'outlook' ? graph.calendar.withKnownItems(knownItems(links)) : graph.calendar;
      return {
        dingtalk: endpoint(withSeriesIds(dingtalk.calendar, links), FOLDERS.calendar.dingtalk),
        outlook: endpoint(withSeriesIds(outlook, links), FOLDERS.calendar.outlook),
      };
    }
    if ((kind === 'mail' || kind === 'sentmail') && app.config.kinds.includes(kind)) {
      // Built on first use: a deployment without mail never reads its settings or opens a connection.
      mail ??= createMailSides(app);
      return {
        dingtalk: endpoint(kind === 'mail' ? mail.dingtalk : mail.dingtalkSent, FOLDERS[kind].dingtalk),
        outlook: endpoint(kind === 'mail' ? graph.mail : graph.sentMail, FOLDERS[kind].outlook),
      };
    }
    if (kind === 'todo' && app.config.kinds.includes('todo')) {
      // A DingTalk listing learns the linked ids, to see a copy deleted before it was ever listed (todo-adapter.ts).
      const todos =
        pulled === 'dingtalk'
          ? dingtalk.todo.withKnownLinks(linkedDingTalkIds(links, 'todo'))
          : dingtalk.todo;
      return {
        dingtalk: endpoint(todos, FOLDERS.todo.dingtalk),
        outlook: endpoint(graph.todo, FOLDERS.todo.outlook),
      };
    }
    if (kind === 'contact' && app.config.kinds.includes('contact')) {
      const contacts =
        pulled === 'dingtalk'
          ? dingtalk.contacts.withKnownLinks(linkedDingTalkIds(links, 'contact'))
          : dingtalk.contacts;
      return {
        dingtalk: endpoint(contacts, FOLDERS.contact.dingtalk),
        outlook: endpoint(outlookContacts, FOLDERS.contact.outlook),
      };
    }
    return undefined;
  };
  if (app.config.kinds.includes('contact')) {
    dingtalk.contacts.roster.onChange(
      contactChangeHints({ stores: app.stores, log: app.log, now: () => app.clock.now() }),
    );
  }
  // Outlook categories are carried only where they name a DingTalk label (docs/contacts-mapping.md).
  const outlookContacts = graph.contacts.withLabels((name) => dingtalk.contacts.labels.isLabel(name));
  auditImportIssues(graph.mail, app.stores, app.clock, app.log);
  auditImportIssues(graph.sentMail, app.stores, app.clock, app.log);
  const directory: DirectorySources = {
    dingtalkPeople: async () =>
      (await dingtalk.directory.listAllUsers()).map((u) => ({
        userid: u.userid,
        unionid: u.unionid,
        name: u.name,
        email: u.email,
        orgEmail: u.org_email,
        active: u.active,
      })),
    entraPeople: () => graph.users.listAll(),
  };
  const policy: SyncPolicy = {
    conflict: app.config.sync.conflictPolicy,
    deletes: app.config.sync.deletePolicy,
    bulkDeleteMaxShare: app.config.sync.bulkDeleteMaxShare,
    dryRun: app.config.sync.dryRun,
  };
  const close = async () => {
    await mail?.close();
  };
  const cadence = pollCadence(app, dingtalk);
  return { graph, dingtalk, endpoints, directory, policy, cadence, close };
}

/**
 * The DingTalk ids (and versions) of a pair's live links of one kind: one query of the pair's partition per
 * listing, so that a polled DingTalk side sees the deletion of a copy it never listed.
 */
function linkedDingTalkIds(
  links: SeriesLinks | LinkStore,
  kind: Kind,
): (user: UserRef) => Promise<Array<{ id: string; version?: string }>> {
  return async (user) => {
    if (!('listLinks' in links)) return [];
    return (await links.listLinks(user, kind))
      .filter((l) => !l.tombstone && !l.undone && l.dingtalkId && l.outlookId)
      .map((l) => ({ id: l.dingtalkId!, version: l.dingtalkVersion }));
  };
}

/** The engine is generic in the projection; the worker holds both sides of one kind, so their types agree. */
function endpoint<P>(adapter: SideAdapter<P>, folder: string): SideEndpoint<unknown> {
  return { adapter: adapter as SideAdapter<unknown>, folder };
}

let current: Services | undefined;

export function getServices(): Services {
  current ??= createServices(getAppContext());
  return current;
}

export function setServices(services: Services | undefined): void {
  current = services;
}

export function workerDeps(app: AppContext, services: Services): WorkerDeps {
  return {
    stores: app.stores,
    endpoints: services.endpoints,
    kinds: kindRules(app),
    policy: services.policy,
    pollIntervalMs: (kind, side) => services.cadence.intervalMs(kind, side),
    log: app.log,
    now: () => app.clock.now(),
  };
}

function kindRules(app: AppContext): WorkerDeps['kinds'] {
  const mail: KindRules = {
    hash: mailHash as (projection: unknown) => string,
    fieldMerge: mailFieldMerge as FieldMerge<unknown>,
    // The first sync lists a look-back window: mail older than it is not listed, and not gone.
    proveMissing: false,
    deletes: app.config.mail.deletes === 'trash' ? 'propagate' : 'ignore',
  };
  return {
    calendar: { hash: calendarContentHash as (projection: unknown) => string },
    mail,
    sentmail: mail,
    todo: { hash: todoMerge.hash as (p: unknown) => string, fieldMerge: todoMerge as FieldMerge<unknown> },
    contact: {
      hash: contactMerge.hash as (p: unknown) => string,
      fieldMerge: contactMerge as FieldMerge<unknown>,
    },
  };
}

/** One ListTodoTasks page per idle poll (the recycle bin is read only when the live listing moved). */
const DINGTALK_CALLS_PER_TODO_POLL = 1;
/**
 * The contact roster refreshes this much before its interval is up: the refresh is made by the first poll after it
 * ages out and its hints queue pulls, so without the lead a change could take an interval and a few seconds to
 * reach Outlook. The lead's extra refreshes are counted in the plan.
 */
const ROSTER_LEAD_SHARE = 0.1;
const ROSTER_LEAD_MAX_MS = 5_000;
const rosterAgeFor = (intervalMs: number) =>
  intervalMs - Math.min(ROSTER_LEAD_MAX_MS, intervalMs * ROSTER_LEAD_SHARE);

function pollCadence(app: AppContext, dingtalk: DingTalkConnectors): PollPace {
  const configuredMs = (kind: Kind, side: Side): number | undefined => {
    if (!isPolled(kind, side)) return undefined;
    if (kind === 'todo') return app.config.todo.pollIntervalMs;
    if (kind === 'contact') return app.config.contacts.pollIntervalMs;
    return app.config.mail.pollIntervalMs;
  };
  const cadence = new PollCadence({
    configuredMs,
    budget: dingtalk.budget,
    meteredCallsPerPoll: (kind) => {
      if (kind === 'todo') return DINGTALK_CALLS_PER_TODO_POLL;
      // One listing of the organisation's external contacts, 100 a call, serves every user.
      if (kind === 'contact') {
        const pages = Math.max(1, Math.ceil((dingtalk.contacts.roster.peek()?.size ?? 0) / 100));
        return pages / (1 - ROSTER_LEAD_SHARE);
      }
      return undefined;
    },
    meteredFolders: (kind, pairs) => (kind === 'contact' ? 1 : pairs),
    pairs: async () => pairsFromProgress((await app.stores.jobs.read('pairing'))?.progress),
    now: () => app.clock.now(),
    // What the admin sees of the pace the quota allows (docs/todo-mapping.md, "Cadence and cost").
    onPlan: (plan) =>
      app.log.info('poll cadence', {
        kind: plan.kind,
        intervalSeconds: Math.round(plan.intervalMs / 1000),
        paused: plan.paused,
        dingtalkCallsPerUserPerMonth: Math.round(plan.callsPerUserPerMonth * 10) / 10,
      }),
  });
  return {
    current: () => cadence.current(),
    intervalMs: async (kind: Kind, side: Side) => {
      const interval = await cadence.intervalMs(kind, side);
      // The roster's refreshes are what cost metered calls: they follow the planned pace.
      if (kind === 'contact' && side === 'dingtalk' && interval)
        dingtalk.contacts.roster.pace(rosterAgeFor(interval));
      return interval;
    },
  };
}

export function maintenanceDeps(app: AppContext, services: Services): MaintenanceDeps {
  const port: SubscriptionsPort = services.graph.subscriptions;
  return {
    stores: app.stores,
    directory: services.directory,
    subscriptions: {
      graph: port,
      publicBaseUrl: app.config.publicBaseUrl,
      expiryFor: (resource, now) => expiryFor(resource, now),
    },
    overrides: app.config.pairing.overrides,
    kinds: app.config.kinds,
    schedule: app.config.schedule,
    retention: app.config.retention,
    dingtalkBudget: services.dingtalk.budget,
    ...(app.config.colleagues.mode !== 'off' && app.config.kinds.includes('contact')
      ? {
          colleagues: {
            store: app.stores.colleagues,
            directory: services.dingtalk.directory,
            folder: colleagueFolderFor(services.graph.api),
            max: app.config.colleagues.max,
            dryRun: app.config.sync.dryRun,
          },
        }
      : {}),
    log: app.log,
    now: () => app.clock.now(),
  };
}
