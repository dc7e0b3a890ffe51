import { FOLDERS } from '../folders';
import { ImapLoginRejectedError } from '../../connectors/imap/credentials';
import type { OutlookMailAdapter, MailImportReport } from '../../connectors/graph';
import type { Config } from '../../platform/config';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Stores } from '../../store';
import type { MailProjection } from '../../sync/mail-message';
import type { AuditEntry, SideAdapter, UserRef } from '../../sync/types';
import { appPasswordVaultAccess, createAppPasswordVault } from './app-password-vault';
import { KeyVaultImapCredentials } from './app-passwords';
import { CredentialGuard } from './credential-guard';

/**
 * The DingTalk side of mail as the worker runs it: the IMAP adapter logging in with the mailbox's app password from
 * Key Vault, behind the guard that stops retrying a rejected password (credential-guard.ts). Built once per process.
 */
export interface MailSides {
  dingtalk: SideAdapter<MailProjection>;
  /** The mailbox's Sent folder (the one marked \Sent), when MAIL_SENT is on. */
  dingtalkSent: SideAdapter<MailProjection>;
  guard: CredentialGuard;
  close(): Promise<void>;
}

/*
 * The IMAP client and its MIME and charset libraries (imapflow, libmime, iconv-lite, pino: some 200 modules, about
 * 5 MB of heap held for the life of the instance) load with the first mail pull, not with the services: an instance
 * that syncs no mail never holds them (docs/benchmarks.md, figure 6).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- deferring the require is the point */
const imapConnector = (): typeof import('../../connectors/imap') =>
  require('../../connectors/imap') as typeof import('../../connectors/imap');
/* eslint-enable @typescript-eslint/no-require-imports */

export function createMailSides(deps: {
  config: Config;
  stores: Pick<Stores, 'audit' | 'mailCredentials'>;
  clock: Clock;
  log: Logger;
}): MailSides {
  const { config } = deps;
  if (!config.keyVaultUrl) {
    throw new Error('KEY_VAULT_URL is not set: mail sync reads each mailbox app password from Key Vault');
  }
  const vault = createAppPasswordVault(
    appPasswordVaultAccess(config.keyVaultUrl, config.mode, config.storage.managedIdentityClientId),
  );
  const guard = new CredentialGuard({
    credentials: new KeyVaultImapCredentials({ vault, clock: deps.clock }),
    store: deps.stores.mailCredentials,
    audit: deps.stores.audit,
    logger: deps.log,
    clock: deps.clock,
  });
  const settings = {
    host: config.mail.imapHost,
    port: config.mail.imapPort,
    secure: true,
    credentials: guard.imapCredentials(),
    lookBackDays: config.mail.lookBackDays,
    // Kept open a little longer than the poll interval, so that the next poll of the mailbox reuses it.
    idleMs: config.mail.pollIntervalMs + 30_000,
    clock: deps.clock,
    logger: deps.log,
  };
  const { createImapMailAdapter, createImapPool } = imapConnector();
  // One pool for both folders: one connection per mailbox, whichever folder is polled.
  const pool = createImapPool(settings);
  const inbox = createImapMailAdapter({ ...settings, pool });
  const sent = createImapMailAdapter({
    ...settings,
    pool,
    folder: FOLDERS.sentmail.dingtalk,
    kind: 'sentmail',
  });
  return {
    dingtalk: reportingLogins(inbox, guard),
    dingtalkSent: reportingLogins(sent, guard),
    guard,
    close: () => pool.close(),
  };
}

/**
 * Tells the guard how each login went: a rejection is counted against the password's version (and audited by the
 * guard), a success clears a mark the mailbox had. Only the caller knows the pair, so this sits around the adapter.
 */
function reportingLogins(
  adapter: SideAdapter<MailProjection>,
  guard: CredentialGuard,
): SideAdapter<MailProjection> {
  const observed =
    <A extends unknown[], R>(call: (user: UserRef, ...args: A) => Promise<R>) =>
    async (user: UserRef, ...args: A): Promise<R> => {
      try {
        const result = await call(user, ...args);
        await guard.loginAccepted(user.email);
        return result;
      } catch (err) {
        if (err instanceof ImapLoginRejectedError) {
          await guard.loginRejected({ email: user.email, pairId: user.pairId }, err.secretVersion);
        }
        throw err;
      }
    };
  return {
    side: adapter.side,
    kind: adapter.kind,
    listChanges: observed((user, folder: string, cursor: string | undefined) =>
      adapter.listChanges(user, folder, cursor),
    ),
    get: observed((user, id: string) => adapter.get(user, id)),
    create: observed((user, projection: MailProjection, originKey: string) =>
      adapter.create(user, projection, originKey),
    ),
    findByOriginKey: observed((user, originKey: string) => adapter.findByOriginKey(user, originKey)),
    ...(adapter.findRenumbered && {
      findRenumbered: observed((user, id: string, keys: string[]) => adapter.findRenumbered!(user, id, keys)),
    }),
    // No server call: nothing for the login guard to see. The worker stores what it returns (sync/own-view.ts).
    ...(adapter.cursorWithOwnView && {
      cursorWithOwnView: (user: UserRef, folder: string, cursor: string) =>
        adapter.cursorWithOwnView!(user, folder, cursor),
    }),
    update: observed((user, id: string, projection: MailProjection, expected?: string) =>
      adapter.update(user, id, projection, expected),
    ),
    delete: observed((user, id: string, expected?: string) => adapter.delete(user, id, expected)),
  };
}

/**
 * What an Outlook import could not do as asked (a draft where a non-draft was asked, a date or read state Exchange
 * did not keep, an attachment left out) becomes an audit row the admin reads, never a silent difference.
 */
export function auditImportIssues(
  outlook: OutlookMailAdapter,
  stores: Pick<Stores, 'audit'>,
  clock: Clock,
  log: Logger,
): void {
  outlook.onImportIssue = (user, report) => {
    const entry = importIssueEntry(user, report, clock.now(), outlook.kind);
    stores.audit.record(entry).catch((err: unknown) => {
      log.warn('could not audit a mail import issue', { pairId: user.pairId, error: err });
    });
  };
}

export function importIssueEntry(
  user: UserRef,
  report: MailImportReport,
  now: number,
  kind: 'mail' | 'sentmail' = 'mail',
): AuditEntry {
  const what = report.issues.map((issue) => issue.reason).join('; ');
  return {
    at: new Date(now).toISOString(),
    pairId: user.pairId,
    kind,
    side: 'outlook',
    action: 'failure',
    outlookId: report.id,
    reason: `the Outlook copy of "${report.subject}" differs from the original: ${what}`,
    detail: JSON.stringify(report),
  };
}
