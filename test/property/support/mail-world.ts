import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { createGraphConnector, type GraphConnector } from '../../../shared/connectors/graph';
import { createImapMailAdapter, type ImapMailAdapter } from '../../../shared/connectors/imap';
import type { ImapCredentials } from '../../../shared/connectors/imap/credentials';
import { systemClock } from '../../../shared/platform/clock';
import { createLogger } from '../../../shared/platform/logger';
import { mailFieldMerge, mailHash, type MailProjection } from '../../../shared/sync/mail-message';
import { runPull, type PullResult } from '../../../shared/sync/pull';
import { cursorWithOwnView } from '../../../shared/sync/own-view';
import { PullFailedError } from '../../../shared/sync/pull-errors';
import { SyncError } from '../../../shared/sync/errors';
import type { Side, SideAdapter, SyncPolicy, UserRef } from '../../../shared/sync/types';
import { otherSide, TransientRemoteError } from '../../../shared/sync/types';
import { startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { startFakeMailServer, type FakeMailServer } from '../../../sandbox/mail';
import { AdapterFaultPlan, faultyAdapter, SimulatedCrash, type Fault, type WriteCounter } from './faults';
import { MemoryAuditSink, MemoryIntentStore, MemoryLinkStore } from './memory-stores';

/**
 * The real mail adapters (IMAP for DingTalk, Graph for Outlook) against the sandbox servers, driven by runPull with
 * in-memory links, intents and audit, as the worker wires them (shared/app/services.ts, kindRules). The servers are
 * started once per suite; each run gets a mailbox and an Outlook user of its own, so runs do not see each other.
 */

export const FIELDS = ['seen', 'flagged'] as const;
export type Field = (typeof FIELDS)[number];
export type Flags = Record<Field, boolean>;

/** What the worker passes for mail: deletes are ignored by default (MAIL_DELETES), the policy is newest-wins. */
const POLICY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'ignore',
  bulkDeleteMaxShare: 1,
  dryRun: false,
};
const FOLDER: Record<Side, string> = { dingtalk: 'INBOX', outlook: 'inbox' };

export type { WriteCounter } from './faults';

export interface MailSandbox {
  imap: FakeMailServer;
  graph: FakeGraph;
  connector: GraphConnector;
  /** A fresh pair: its own DingTalk mailbox and Outlook user, empty. */
  newRun(): Promise<MailRun>;
  stop(): Promise<void>;
}

export async function startMailSandbox(): Promise<MailSandbox> {
  const imap = await startFakeMailServer({ host: '127.0.0.1' });
  const graph = await startFakeGraph({});
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
        conflictPolicy: 'newest-wins',
        deletePolicy: 'ignore',
        bulkDeleteMaxShare: 1,
        dryRun: false,
        calendarWindowPastDays: 30,
        calendarWindowFutureDays: 365,
      },
    },
    // Retries are real (three attempts of an idempotent call), their waits are not: runs stay fast.
    { retryHooks: { sleep: async () => undefined } },
  );
  let serial = 0;
  const passwords = new Map<string, string>();
  const credentials: ImapCredentials = {
    loginFor: async (email) => {
      const password = passwords.get(email);
      return password === undefined ? undefined : { user: email, password, version: 'v1' };
    },
  };
  const newRun = async (): Promise<MailRun> => {
    serial += 1;
    const tag = `${serial}-${randomBytes(3).toString('hex')}`;
    const email = `run${tag}@contoso.example`;
    passwords.set(email, `app-${randomBytes(6).toString('hex')}`);
    imap.control.addMailbox(email, passwords.get(email)!);
    const entra = graph.control.addUser({ userPrincipalName: email, displayName: `Run ${tag}`, mail: email });
    const user: UserRef = {
      pairId: `pair-${tag}`,
      dingtalkUserId: `dt-${tag}`,
      dingtalkUnionId: `union-${tag}`,
      entraId: entra.id,
      email,
    };
    return new MailRun(tag, user, { imap, graph, connector, credentials });
  };
  return {
    imap,
    graph,
    connector,
    newRun,
    stop: async () => {
      await imap.stop();
      await graph.stop();
    },
  };
}

/** `bye`: the failure was the BYE of a session whose folder was renumbered (see `changeUidValidity`). */
export type PullOutcome = { result?: PullResult; error?: PullFailedError; bye?: boolean };

/** A message as both sides show it, by Message-ID. */
export interface SideMessage {
  messageId: string;
  flags: Flags;
  /** DingTalk UID or Outlook id. */
  ref: string | number;
}

/** One run: a pair's two mailboxes, the engine's stores and cursors, and the adapters as one process holds them. */
export class MailRun {
  readonly plan = new AdapterFaultPlan();
  readonly links = new MemoryLinkStore(this.plan);
  readonly intents = new MemoryIntentStore(this.plan);
  readonly audit = new MemoryAuditSink(this.plan);
  readonly cursors: Partial<Record<Side, string>> = {};
  readonly counter: WriteCounter = { writes: 0 };
  /** Pulls that found their cursor expired and listed the whole folder (a new UIDVALIDITY, on DingTalk). */
  readonly resyncs: Record<Side, number> = { dingtalk: 0, outlook: 0 };
  private imapAdapter: ImapMailAdapter;
  private byePending = false;
  private readonly retired: ImapMailAdapter[] = [];
  readonly sides: Record<Side, SideAdapter<MailProjection>>;

  constructor(
    readonly tag: string,
    readonly user: UserRef,
    private readonly env: {
      imap: FakeMailServer;
      graph: FakeGraph;
      connector: GraphConnector;
      credentials: ImapCredentials;
    },
  ) {
    this.imapAdapter = this.newImapAdapter();
    this.sides = {
      dingtalk: faultyAdapter(() => this.answeredImap(), 'dingtalk', 'mail', this.plan, this.counter),
      outlook: faultyAdapter(() => env.connector.mail, 'outlook', 'mail', this.plan, this.counter),
    };
  }

  private newImapAdapter(): ImapMailAdapter {
    return createImapMailAdapter({
      host: this.env.imap.host,
      port: this.env.imap.port,
      secure: true,
      credentials: this.env.credentials,
      lookBackDays: 30,
      // Each run closes its pool at the end; a short idle time bounds what a failed run leaves open.
      idleMs: 2_000,
      clock: systemClock,
      logger: createLogger({ sink: () => undefined }),
    });
  }

  private firedFaults(): number {
    return Object.values(this.plan.fired).reduce((a, b) => a + b, 0);
  }

  /** The IMAP adapter, noting when a call to the mailbox is answered: a BYE pending since a rebuild was met then. */
  private answeredImap(): SideAdapter<MailProjection> {
    const adapter = this.imapAdapter;
    return new Proxy(adapter, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result = value.apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then((answer: unknown) => {
            this.byePending = false;
            return answer;
          });
        };
      },
    });
  }

  /**
   * The process died: what it held in memory is gone (the IMAP adapter's memo of its own writes and creates, its
   * open connections). Links, intents, cursors and both mailboxes remain.
   */
  restart(): void {
    this.retired.push(this.imapAdapter);
    this.imapAdapter = this.newImapAdapter();
  }

  async close(): Promise<void> {
    await Promise.all([this.imapAdapter, ...this.retired].map((a) => a.close()));
  }

  async pull(side: Side, fault?: Fault): Promise<PullOutcome> {
    const firedBefore = this.firedFaults();
    this.plan.arm(fault);
    try {
      const pulled = { adapter: this.sides[side], folder: FOLDER[side] };
      const otherEndpoint = { adapter: this.sides[otherSide(side)], folder: FOLDER[otherSide(side)] };
      const result = await runPull<MailProjection>({
        user: this.user,
        pulled,
        other: otherEndpoint,
        cursor: this.cursors[side],
        links: this.links,
        intents: this.intents,
        audit: this.audit,
        policy: POLICY,
        now: () => Date.now(),
        hashProjection: mailHash,
        fieldMerge: mailFieldMerge,
        proveMissing: false,
      });
      if (result.outcome === 'synced') {
        // As the worker stores them (worker.ts, withOwnView).
        const other = otherSide(side);
        this.cursors[side] = cursorWithOwnView(this.user, pulled, result.cursor);
        this.cursors[other] = cursorWithOwnView(this.user, otherEndpoint, this.cursors[other]);
      }
      if (result.resynced) this.resyncs[side] += 1;
      return { result };
    } catch (err) {
      if (!(err instanceof PullFailedError)) throw err;
      if (err.cause instanceof SimulatedCrash) this.restart();
      // The BYE fails the first call that reaches the mailbox; an injected failure leaves it pending.
      const failedAtMailbox = this.plan.steps.at(-1)?.startsWith('dingtalk.') ?? false;
      const injected = this.firedFaults() > firedBefore;
      if (this.byePending && failedAtMailbox && !injected && err.cause instanceof TransientRemoteError) {
        this.byePending = false;
        return { error: err, bye: true };
      }
      return { error: err };
    } finally {
      this.plan.disarm();
    }
  }

  /** Fault-free pulls of both sides until a round writes nothing; more than `rounds` would be a loop. */
  async quiesce(rounds = 6): Promise<void> {
    for (let round = 0; round < rounds; round += 1) {
      const before = this.activity();
      let failed = false;
      for (const side of ['dingtalk', 'outlook'] as const) {
        const outcome = await this.pull(side);
        if (outcome.error && !outcome.bye) throw outcome.error.cause;
        failed ||= outcome.error !== undefined;
      }
      if (!failed && this.activity() === before) return;
    }
    throw new Error(`mail did not settle within ${rounds} fault-free rounds: a loop`);
  }

  activity(): number {
    return this.counter.writes + this.links.saves;
  }

  /** Remote writes as the servers saw them: APPEND/STORE/COPY/EXPUNGE, and POST/PATCH/DELETE on messages. */
  serverWrites(): number {
    const imap = this.env.imap.control
      .commands({ email: this.user.email })
      .filter((c) => /^(UID )?(APPEND|STORE|COPY|MOVE|EXPUNGE)$/.test(c.command)).length;
    const messages = new RegExp(`/users/${this.user.entraId}/.*messages`, 'i');
    const graph = ['POST', 'PATCH', 'DELETE']
      .map((method) => this.env.graph.control.countRequests(method, messages))
      .reduce((a, b) => a + b, 0);
    return imap + graph;
  }

  // --- the two mailboxes, as their owners see and change them

  dingtalkMessages(): SideMessage[] {
    return this.env.imap.control.messages(this.user.email, 'INBOX').map((m) => ({
      messageId: messageIdOf(m.raw),
      flags: { seen: m.flags.includes('\\Seen'), flagged: m.flags.includes('\\Flagged') },
      ref: m.uid,
    }));
  }

  outlookMessages(): SideMessage[] {
    return (
      this.env.graph.control.mailMessages(this.user.entraId, 'inbox') as Array<{
        id: string;
        internetMessageId?: string;
        isRead: boolean;
        flag?: { flagStatus?: string };
      }>
    ).map((m) => ({
      messageId: m.internetMessageId ?? '',
      flags: { seen: m.isRead, flagged: m.flag?.flagStatus === 'flagged' },
      ref: m.id,
    }));
  }

  messages(side: Side): SideMessage[] {
    return side === 'dingtalk' ? this.dingtalkMessages() : this.outlookMessages();
  }

  async deliver(side: Side, raw: Buffer, flags: Flags): Promise<void> {
    if (side === 'dingtalk') {
      const names = [...(flags.seen ? ['\\Seen'] : []), ...(flags.flagged ? ['\\Flagged'] : [])];
      this.env.imap.control.deliver(this.user.email, 'INBOX', raw, { flags: names });
    } else {
      await this.env.graph.control.deliverMail(this.user.entraId, 'inbox', raw, {
        isRead: flags.seen,
        flagged: flags.flagged,
      });
    }
  }

  /** The owner sets one field of one message on one side. */
  set(side: Side, message: SideMessage, field: Field, value: boolean): void {
    const flags = { ...message.flags, [field]: value };
    if (side === 'dingtalk') {
      const names = [...(flags.seen ? ['\\Seen'] : []), ...(flags.flagged ? ['\\Flagged'] : [])];
      this.env.imap.control.setFlags(this.user.email, 'INBOX', message.ref as number, names);
    } else if (field === 'seen') {
      this.env.graph.control.setMailRead(this.user.entraId, message.ref as string, value);
    } else {
      this.env.graph.control.setMailFlag(
        this.user.entraId,
        message.ref as string,
        value ? 'flagged' : 'notFlagged',
      );
    }
  }

  /**
   * A rebuild of the DingTalk inbox. A session that has the folder selected (our pooled connection) gets BYE at its
   * next command, as on the real server: the first pull that then talks to the mailbox fails with a dropped
   * connection, and the pool opens a new one for the next. That one failure is expected, even in a fault-free pull.
   */
  changeUidValidity(): void {
    this.env.imap.control.changeUidValidity(this.user.email, 'INBOX');
    this.byePending = true;
  }
}

function messageIdOf(raw: Buffer): string {
  const head = raw.toString('latin1').split(/\r?\n\r?\n/)[0];
  const m = /^message-id:\s*(<[^>\r\n]+>)/im.exec(head);
  return m ? m[1] : '';
}

/** Whether a failed pull failed the way a fault makes pulls fail (and not by a bug). */
export function isExpectedFailure(err: PullFailedError): boolean {
  const cause = err.cause;
  return (
    cause instanceof SimulatedCrash ||
    cause instanceof TransientRemoteError ||
    (cause instanceof SyncError && cause.retryable)
  );
}

export async function composeMail(options: {
  messageId: string;
  subject: string;
  to: string;
  from: string;
  text: string;
}): Promise<Buffer> {
  return new MailComposer({ ...options, date: new Date(Date.now() - 60_000) }).compile().build();
}
