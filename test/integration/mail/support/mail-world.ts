import { ManualClock } from '../../../../shared/platform/clock';
import { createLogger } from '../../../../shared/platform/logger';
import { auditImportIssues } from '../../../../shared/app/mail/mail-sides';
import { createImapMailAdapter, type ImapMailAdapter } from '../../../../shared/connectors/imap';
import type { ImapCredentials } from '../../../../shared/connectors/imap/credentials';
import type { OutlookMailAdapter } from '../../../../shared/connectors/graph/mail-adapter';
import { mailFieldMerge, mailHash, type MailProjection } from '../../../../shared/sync/mail-message';
import { runPull, type PullResult } from '../../../../shared/sync/pull';
import {
  ConcurrencyError,
  type AuditEntry,
  type AuditSink,
  type Intent,
  type IntentStore,
  type Kind,
  type Link,
  type LinkStore,
  type Side,
  type SideAdapter,
  type SyncPolicy,
  type UserRef,
} from '../../../../shared/sync/types';
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

export class MemoryLinks implements LinkStore {
  private readonly rows = new Map<string, Link>();
  private etag = 0;
  async findBySideId(user: UserRef, kind: Kind, side: Side, id: string) {
    return this.of(user, kind).find((l) => (side === 'dingtalk' ? l.dingtalkId : l.outlookId) === id);
  }
  async listLinks(user: UserRef, kind: Kind) {
    return this.of(user, kind);
  }
  async save(user: UserRef, link: Link) {
    const key = `${user.pairId}|${link.linkId}`;
    const stored = this.rows.get(key);
    if (link.etag === undefined ? stored !== undefined : stored?.etag !== link.etag)
      throw new ConcurrencyError();
    const saved = { ...structuredClone(link), etag: `e${++this.etag}` };
    this.rows.set(key, saved);
    return structuredClone(saved);
  }
  async remove(user: UserRef, link: Link) {
    this.rows.delete(`${user.pairId}|${link.linkId}`);
  }
  private of(user: UserRef, kind: Kind): Link[] {
    return [...this.rows.entries()]
      .filter(([key, l]) => key.startsWith(`${user.pairId}|`) && l.kind === kind)
      .map(([, l]) => structuredClone(l));
  }
}

export class MemoryIntents implements IntentStore {
  private readonly rows = new Map<string, Intent>();
  private key = (user: UserRef, kind: Kind, side: Side, id: string) => `${user.pairId}|${kind}|${side}|${id}`;
  async get(user: UserRef, kind: Kind, side: Side, id: string) {
    return this.rows.get(this.key(user, kind, side, id));
  }
  async put(user: UserRef, intent: Intent) {
    this.rows.set(this.key(user, intent.kind, intent.targetSide, intent.sourceId), structuredClone(intent));
  }
  async remove(user: UserRef, intent: Intent) {
    this.rows.delete(this.key(user, intent.kind, intent.targetSide, intent.sourceId));
  }
  async list(user: UserRef, kind: Kind) {
    return [...this.rows.entries()]
      .filter(([key]) => key.startsWith(`${user.pairId}|${kind}|`))
      .map(([, i]) => structuredClone(i));
  }
}

export class MemoryAudit implements AuditSink {
  readonly rows: AuditEntry[] = [];
  async record(entry: AuditEntry) {
    this.rows.push(structuredClone(entry));
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
  links: MemoryLinks;
  intents: MemoryIntents;
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
  const links = new MemoryLinks();
  const intents = new MemoryIntents();
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
