import { SyncError } from '../../sync/errors';

/**
 * How the IMAP side logs in to one DingTalk mailbox: the mailbox address and the app password the admin provisioned
 * for it in DingTalk's mail admin (never the employee's main password). The app keeps these in Key Vault
 * (docs/mail.md, "App passwords").
 */
export interface MailboxLogin {
  user: string;
  password: string;
  /** Identifies the stored secret's version: a rejected login is not retried until this changes. */
  version: string;
}

export interface ImapCredentials {
  /** The login of a mailbox, or undefined when the admin has not provisioned an app password for it. */
  loginFor(email: string): Promise<MailboxLogin | undefined>;
}

/** The server refused the login (IMAP NO / AUTHENTICATIONFAILED). Retrying the same secret cannot help. */
export class ImapLoginRejectedError extends SyncError {
  constructor(
    readonly email: string,
    readonly secretVersion: string,
  ) {
    super(`the mail server rejected the app password of ${email}`, {
      code: 'imap-login-rejected',
      retryable: false,
      side: 'dingtalk',
    });
  }
}

/** No app password is stored for the mailbox, so its mail cannot be synced until the admin provides one. */
export class MissingAppPasswordError extends SyncError {
  constructor(readonly email: string) {
    super(`no app password is stored for the mailbox ${email}`, {
      code: 'imap-no-app-password',
      retryable: false,
      side: 'dingtalk',
    });
  }
}
