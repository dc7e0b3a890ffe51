import {
  ImapLoginRejectedError,
  MissingAppPasswordError,
  type ImapCredentials,
  type MailboxLogin,
} from '../../connectors/imap/credentials';
import { systemClock, type Clock } from '../../platform/clock';
import { redactText, type Logger } from '../../platform/logger';
import type { MailCredentialRecord, TableMailCredentialStore } from '../../store/mail-credential-store';
import { SyncError } from '../../sync/errors';
import { ConcurrencyError, type AuditSink } from '../../sync/types';
import { normalizeMailbox } from './mailbox-address';

/**
 * Guards IMAP logins so that a rejected app password can never get a mailbox locked: after the server rejects a
 * login, the mailbox is marked "credentials rejected" (mailcredentials table), audited, and tried again only after
 * 5 minutes, then 30 minutes; after the third rejection of the same secret version it is not tried at all until
 * Key Vault holds a new version (the credentials cache notices within its TTL) or an admin resets it. At most
 * MAX_ATTEMPTS_PER_VERSION logins per secret version, whatever the worker asks.
 *
 * Table operations. A mailbox with no known problem costs none: the guard keeps every row of the (small)
 * mailcredentials table in memory and reads it again at most once per REFRESH_MS per instance (1 query per 1,000
 * problem rows), on the first check after that time. Only problems cost rows: a rejection 1 read + 1 write + 1 audit
 * row; the first success after one 1 delete; a reset 1 delete.
 *
 * Across instances. An instance learns of another's rejection at its next refresh, so during that minute it may
 * make one more attempt than the schedule says; the count in the table stays exact (etag-checked), so it still
 * stops at the limit. The worker's per-pair lease means one instance polls a mailbox at a time.
 */

export const MAX_ATTEMPTS_PER_VERSION = 3;
/** Wait after the n-th rejection (n = 1, 2, …); the third entry applies only if the limit is raised. */
export const REJECTION_BACKOFF_MS = [5 * 60_000, 30 * 60_000, 2 * 3600_000] as const;
export const REFRESH_MS = 60_000;
/** Bound of the refresh query; a whole organisation rejected (third-party access switched off) still fits. */
const MAX_PROBLEM_ROWS = 50_000;
/** After a failed refresh, how soon the next check tries again (the last good view is kept meanwhile). */
const REFRESH_RETRY_MS = 15_000;

export type CredentialStatus = 'backing-off' | 'stopped';

/** A mailbox marked "credentials rejected", for the admin (status page, command line). */
export interface RejectedMailbox {
  email: string;
  pairId?: string;
  status: CredentialStatus;
  secretVersion: string;
  attempts: number;
  firstRejectedAt: string;
  lastRejectedAt: string;
  /** When the next login may be tried; absent when stopped. */
  nextTryAt?: string;
  /** Plain words for the admin. */
  advice: string;
}

export type LoginDecision =
  | { ok: true; login: MailboxLogin }
  | { ok: false; reason: 'no-app-password' }
  | { ok: false; reason: CredentialStatus; mailbox: RejectedMailbox };

/** The mailbox is marked "credentials rejected" and must not be tried now. Not retryable: the guard says when. */
export class MailboxCredentialsRejectedError extends SyncError {
  constructor(readonly mailbox: RejectedMailbox) {
    super(
      mailbox.status === 'stopped'
        ? `the app password of ${mailbox.email} was rejected ${mailbox.attempts} times; no login until a new one is stored`
        : `the app password of ${mailbox.email} was rejected; next login after ${mailbox.nextTryAt}`,
      { code: 'imap-credentials-rejected', retryable: false, side: 'dingtalk' },
    );
  }
}

export interface CredentialGuardOptions {
  credentials: ImapCredentials & { forget?(email: string): void };
  store: Pick<TableMailCredentialStore, 'get' | 'save' | 'remove' | 'list'>;
  audit: AuditSink;
  logger: Logger;
  clock?: Clock;
  maxAttempts?: number;
  backoffMs?: readonly number[];
  refreshMs?: number;
}

export interface MailboxRef {
  email: string;
  pairId: string;
}

export class CredentialGuard {
  private view = new Map<string, MailCredentialRecord>();
  private nextRefreshAt = Number.NEGATIVE_INFINITY;
  private loaded = false;
  private refreshing: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly backoffMs: readonly number[];
  private readonly refreshMs: number;

  constructor(private readonly options: CredentialGuardOptions) {
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS_PER_VERSION;
    this.backoffMs = options.backoffMs ?? REJECTION_BACKOFF_MS;
    this.refreshMs = options.refreshMs ?? REFRESH_MS;
  }

  /**
   * Whether the mailbox may log in now, and with what. A new secret version in Key Vault always may: the attempts
   * counted against the old one do not carry over.
   */
  async check(email: string): Promise<LoginDecision> {
    const address = normalizeMailbox(email);
    await this.refreshIfDue();
    const login = await this.options.credentials.loginFor(address);
    if (!login) return { ok: false, reason: 'no-app-password' };
    const record = this.view.get(address);
    if (!record || record.secretVersion !== login.version) return { ok: true, login };
    const mailbox = this.describe(record);
    if (mailbox.status === 'stopped') return { ok: false, reason: 'stopped', mailbox };
    if (Date.parse(record.nextTryAt!) > this.clock.now())
      return { ok: false, reason: 'backing-off', mailbox };
    return { ok: true, login };
  }

  /**
   * Runs `use` with the mailbox's login when the guard allows it. Throws MissingAppPasswordError when there is no
   * app password, MailboxCredentialsRejectedError when the mailbox must wait, and rethrows ImapLoginRejectedError
   * after recording it. A `use` that resolves counts as an accepted login.
   */
  async withLogin<T>(mailbox: MailboxRef, use: (login: MailboxLogin) => Promise<T>): Promise<T> {
    const decision = await this.check(mailbox.email);
    if (!decision.ok) {
      if (decision.reason === 'no-app-password')
        throw new MissingAppPasswordError(normalizeMailbox(mailbox.email));
      throw new MailboxCredentialsRejectedError(decision.mailbox);
    }
    let result: T;
    try {
      result = await use(decision.login);
    } catch (err) {
      if (err instanceof ImapLoginRejectedError) {
        await this.loginRejected(mailbox, err.secretVersion || decision.login.version);
      }
      throw err;
    }
    await this.loginAccepted(mailbox.email);
    return result;
  }

  /**
   * The guard as the IMAP adapter's ImapCredentials: a login when one may be tried now, undefined when there is no
   * app password, MailboxCredentialsRejectedError when the mailbox must wait. The caller still reports the outcome
   * (loginRejected on ImapLoginRejectedError, loginAccepted after a good poll), since only it knows the pair.
   */
  imapCredentials(): ImapCredentials {
    return {
      loginFor: async (email) => {
        const decision = await this.check(email);
        if (decision.ok) return decision.login;
        if (decision.reason === 'no-app-password') return undefined;
        throw new MailboxCredentialsRejectedError(decision.mailbox);
      },
    };
  }

  /** Records a login the server rejected: attempts, next try or stop, one audit row. Returns the new state. */
  async loginRejected(
    mailbox: MailboxRef,
    secretVersion: string,
    serverReply?: string,
  ): Promise<RejectedMailbox> {
    const address = normalizeMailbox(mailbox.email);
    for (let attempt = 0; ; attempt++) {
      const now = this.clock.now();
      const stored = await this.options.store.get(address);
      const sameVersion = stored?.secretVersion === secretVersion;
      const attempts = sameVersion ? stored!.attempts + 1 : 1;
      const stopped = attempts >= this.maxAttempts;
      const at = new Date(now).toISOString();
      const next: MailCredentialRecord = {
        email: address,
        pairId: mailbox.pairId,
        secretVersion,
        attempts,
        firstRejectedAt: sameVersion ? stored!.firstRejectedAt : at,
        lastRejectedAt: at,
        nextTryAt: stopped ? undefined : new Date(now + this.delayAfter(attempts)).toISOString(),
        stopped,
        serverReply: serverReply === undefined ? undefined : redactText(serverReply),
        etag: stored?.etag,
      };
      let saved: MailCredentialRecord;
      try {
        saved = await this.options.store.save(next);
      } catch (err) {
        // Another instance recorded a rejection meanwhile: count on top of its row.
        if (err instanceof ConcurrencyError && attempt < 3) continue;
        throw err;
      }
      this.view.set(address, saved);
      const described = this.describe(saved);
      await this.options.audit.record({
        at,
        pairId: mailbox.pairId,
        kind: 'mail',
        side: 'dingtalk',
        action: 'failure',
        reason: described.advice,
      });
      this.options.logger.warn('mail credentials rejected', {
        pairId: mailbox.pairId,
        mailbox: address,
        attempts,
        stopped,
        nextTryAt: saved.nextTryAt,
        version: secretVersion,
      });
      return described;
    }
  }

  /** A login succeeded: clears the mailbox's mark if it had one (no table operation otherwise). */
  async loginAccepted(email: string): Promise<void> {
    const address = normalizeMailbox(email);
    const record = this.view.get(address);
    if (!record) return;
    await this.options.store.remove(address);
    this.view.delete(address);
    this.options.logger.info('mail credentials accepted again', { pairId: record.pairId, mailbox: address });
  }

  /** Every mailbox marked "credentials rejected", read fresh from the table (for the admin, not the poll path). */
  async rejectedMailboxes(): Promise<RejectedMailbox[]> {
    const { records } = await this.options.store.list(MAX_PROBLEM_ROWS);
    this.replaceView(records);
    return records.map((r) => this.describe(r)).sort((a, b) => a.email.localeCompare(b.email));
  }

  /**
   * Clears a mailbox's mark, so the next poll logs in (reading Key Vault afresh). For an admin who fixed the cause
   * outside Key Vault, e.g. switched third-party client access on for the mailbox.
   */
  async reset(email: string): Promise<void> {
    const address = normalizeMailbox(email);
    await this.options.store.remove(address);
    this.view.delete(address);
    this.options.credentials.forget?.(address);
    this.options.logger.info('mail credentials reset by an admin', { mailbox: address });
  }

  private delayAfter(attempts: number): number {
    return this.backoffMs[Math.min(attempts, this.backoffMs.length) - 1];
  }

  private describe(record: MailCredentialRecord): RejectedMailbox {
    const status: CredentialStatus = record.stopped ? 'stopped' : 'backing-off';
    const rejected = `The DingTalk mail server rejected the app password of ${record.email}`;
    const advice =
      status === 'stopped'
        ? `${rejected} ${record.attempts} times, so the app stopped trying (so that the mailbox is not locked). ` +
          `Mail of this mailbox is not synced until a new app password is stored ` +
          `(npm run mail:app-passwords -- --set ${record.email}) or an admin resets it after fixing the cause.`
        : `${rejected} (attempt ${record.attempts} of ${this.maxAttempts} with this password). ` +
          `Next try after ${record.nextTryAt}. If it persists: check that third-party client (IMAP) access is ` +
          `enabled for this mailbox, then store a new app password.`;
    const out: RejectedMailbox = {
      email: record.email,
      status,
      secretVersion: record.secretVersion,
      attempts: record.attempts,
      firstRejectedAt: record.firstRejectedAt,
      lastRejectedAt: record.lastRejectedAt,
      advice,
    };
    if (record.pairId) out.pairId = record.pairId;
    if (record.nextTryAt) out.nextTryAt = record.nextTryAt;
    return out;
  }

  private async refreshIfDue(): Promise<void> {
    if (this.clock.now() < this.nextRefreshAt) return;
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    await this.refreshing;
  }

  private async refresh(): Promise<void> {
    try {
      const { records, truncated } = await this.options.store.list(MAX_PROBLEM_ROWS);
      this.replaceView(records);
      if (truncated) {
        this.options.logger.warn('more mailboxes with rejected credentials than the guard reads', {
          read: records.length,
        });
      }
    } catch (err) {
      // With no view at all the guard cannot tell a stopped mailbox from a healthy one: refuse rather than guess.
      if (!this.loaded) throw err;
      this.nextRefreshAt = this.clock.now() + REFRESH_RETRY_MS;
      this.options.logger.warn('reading mail credential states failed; using the last ones read', {
        error: err,
      });
    }
  }

  private replaceView(records: MailCredentialRecord[]): void {
    this.view = new Map(records.map((r) => [r.email, r]));
    this.loaded = true;
    this.nextRefreshAt = this.clock.now() + this.refreshMs;
  }
}
