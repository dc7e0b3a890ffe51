import { ManualClock } from '../../../../shared/platform/clock';
import { createLogger } from '../../../../shared/platform/logger';
import { auditImportIssues } from '../../../../shared/app/mail/mail-sides';
import { createImapMailAdapter, type ImapMailAdapter } from '../../../../shared/connectors/imap';
import type { ImapCredentials } from '../../../../shared/connectors/imap/credentials';
import type { OutlookMailAdapter } from '../../../../shared/connectors/graph/mail-adapter';
import { mailFieldMerge, mailHash, type MailProjection } from '../../../../shared/sync/mail-message';
import { runPull, type PullResult } from '../../../../shared/sync/pull';
import type {
  AuditEntry,
  IntentStore,
  LinkStore,
  Side,
  SideAdapter,
  SyncPolicy,
  UserRef,
} from '../../../../shared/sync/types';
import { FaultPlan } from '../../../property/support/faults';
import { MemoryAuditSink, MemoryIntentStore, MemoryLinkStore } from '../../../property/support/memory-stores';
import { startFakeMailServer, type FakeMailServer } from '../../../../sandbox/mail';
import { startGraphHarness, type GraphHarness } from '../../../support/graph/graph-harness';

/**
 * Mail sync as the worker runs it, without the queue and the tables: the real IMAP adapter against the sandbox
 * DingTalk Mail server, the real Outlook adapter against the sandbox Graph, and `runPull` with the mail rules of
 * shared/app/services.ts (field merge of read/flag, no missing-proof after a windowed listing, deletes ignored).
 * Links, intents and audit rows are kept in memory; import issues are audited as the app does (auditImportIssues).
 */

export const NOW = Date.parse('2026-11-22T08:00:00Z');
export const LOOK_BACK_DAYS = 30;

export const POLICY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'ignore',
  bulkDeleteMaxShare: 1,
  dryRun: false,
};

/**
 * The engine's memory stores (test/property/support/memory-stores.ts, with their link invariants) hold one user's
 * items; the world has several mailboxes, so each pair gets its own, behind one store that picks by pair.
 */
function perPair<T>(make: () => T): (user: UserRef) => T {
  const stores = new Map<string, T>();
  return (user) => {
    if (!stores.has(user.pairId)) stores.set(user.pairId, make());
    return stores.get(user.pairId)!;
  };
}

function pairedLinks(): LinkStore {
  const of = perPair(() => new MemoryLinkStore(new FaultPlan()));
  return {
    findBySideId: (user, kind, side, id) => of(user).findBySideId(user, kind, side, id),
    listLinks: (user, kind) => of(user).listLinks(user, kind),
    save: (user, link) => of(user).save(user, link),
    remove: (user, link) => of(user).remove(user, link),
  };
}

function pairedIntents(): IntentStore {
  const of = perPair(() => new MemoryIntentStore(new FaultPlan()));
  return {
    get: (user, kind, side, id) => of(user).get(user, kind, side, id),
    put: (user, intent) => of(user).put(user, intent),
    remove: (user, intent) => of(user).remove(user, intent),
    list: (user, kind) => of(user).list(user, kind),
  };
}

/** Audit rows of every pair; `of` picks one pair's. */
export class MemoryAudit extends MemoryAuditSink {
  constructor() {
    super(new FaultPlan());
  }

  of(pairId: string): AuditEntry[] {
    return this.rows.filter((r) => r.pairId === pairId);
  }
}

export interface MailWorld {
  clock: ManualClock;
  imapServer: FakeMailServer;
  graph: GraphHarness;
  dingtalk: SideAdapter<MailProjection> & { close(): Promise<void> };
  outlook: OutlookMailAdapter;
  links: LinkStore;
  intents: IntentStore;
  audit: MemoryAudit;
  cursors: Map<string, string>;
  /** A mailbox on both sides, paired; its DingTalk app password is `password`. */
  addPerson(local: string): UserRef & { password: string };
  /** One pull of one side of one mailbox, as the worker runs it; the cursor is kept only when it syncs. */
  pull(user: UserRef, side: Side): Promise<PullResult>;
  stop(): Promise<void>;
}

export interface MailWorldOptions {
  maxMessageBytes?: number;
  /** The IMAP side's logins; default: each person's password. */
  credentials?: ImapCredentials;
  /** Replaces the IMAP side (e.g. the app's guarded one); built from the server and the clock. */
  dingtalkSide?: (
    server: FakeMailServer,
    clock: ManualClock,
  ) => SideAdapter<MailProjection> & { close(): Promise<void> };
  onImapCommand?: (mailbox: string, command: string) => void;
}

export async function startMailWorld(options: MailWorldOptions = {}): Promise<MailWorld> {
  const clock = new ManualClock(NOW);
  const imapServer = await startFakeMailServer({ clock, maxMessageBytes: options.maxMessageBytes });
  const graph = await startGraphHarness({ clock });
  const logger = createLogger({ sink: () => undefined });
  const passwords = new Map<string, string>();
  const credentials: ImapCredentials = options.credentials ?? {
    loginFor: async (email) => {
      const password = passwords.get(email);
      return password ? { user: email, password, version: 'v1' } : undefined;
    },
  };
  const dingtalk: ImapMailAdapter | (SideAdapter<MailProjection> & { close(): Promise<void> }) =
    options.dingtalkSide?.(imapServer, clock) ??
    createImapMailAdapter({
      host: imapServer.host,
      port: imapServer.port,
      secure: true,
      credentials,
      lookBackDays: LOOK_BACK_DAYS,
      clock,
      logger,
      onCommand: options.onImapCommand,
    });
  const outlook = graph.connector.mail;
  const audit = new MemoryAudit();
  auditImportIssues(outlook, { audit } as never, clock, logger);
  const links = pairedLinks();
  const intents = pairedIntents();
  const cursors = new Map<string, string>();

  const addPerson = (local: string) => {
    const email = `${local}@contoso.example`;
    const password = `app-${local}-7f3a9c`;
    passwords.set(email, password);
    imapServer.control.addMailbox(email, password);
    const entra = graph.fake.control.addUser({ userPrincipalName: email, displayName: local, mail: email });
    return {
      pairId: `pair-${local}`,
      dingtalkUserId: `dt-${local}`,
      dingtalkUnionId: `union-${local}`,
      entraId: entra.id,
      email,
      password,
    };
  };

  const pull = async (user: UserRef, side: Side): Promise<PullResult> => {
    const endpoints = {
      dingtalk: { adapter: dingtalk as SideAdapter<MailProjection>, folder: 'INBOX' },
      outlook: { adapter: outlook as SideAdapter<MailProjection>, folder: 'inbox' },
    };
    const key = `${user.pairId}|${side}`;
    const result = await runPull<MailProjection>({
      user,
      pulled: endpoints[side],
      other: endpoints[side === 'dingtalk' ? 'outlook' : 'dingtalk'],
      cursor: cursors.get(key),
      links,
      intents,
      audit,
      policy: POLICY,
      now: () => clock.now(),
      hashProjection: mailHash,
      fieldMerge: mailFieldMerge,
      proveMissing: false,
    });
    if (result.outcome === 'synced') cursors.set(key, result.cursor);
    return result;
  };

  return {
    clock,
    imapServer,
    graph,
    dingtalk,
    outlook,
    links,
    intents,
    audit,
    cursors,
    addPerson,
    pull,
    stop: async () => {
      await dingtalk.close();
      await imapServer.stop();
      await graph.stop();
    },
  };
}
