import { SyncError } from '../../sync/errors';
import { PermanentRemoteError, TransientRemoteError } from '../../sync/types';
import { ImapLoginRejectedError } from './credentials';

/**
 * imapflow's errors mapped to the app's. What decides: a dropped connection, a BYE, a timeout or a throttled login
 * can succeed later (TransientRemoteError); a tagged NO or BAD on a command about a message will answer the same
 * again (PermanentRemoteError), except NO with a response code that RFC 5530 defines as temporary (UNAVAILABLE,
 * INUSE, LIMIT, SERVERBUG, CONTACTADMIN is not); a NO on LOGIN/AUTHENTICATE is a rejected app password.
 *
 * Messages are built from the error's code and the server's response text only, never from the command sent (an
 * APPEND or LOGIN line), and any known secret is masked on top, so no password reaches a log or a failure row.
 */

interface ImapErrorLike {
  message?: string;
  code?: string;
  responseStatus?: string;
  responseText?: string;
  serverResponseCode?: string;
  authenticationFailed?: boolean;
  throttleReset?: number;
  command?: string;
}

const TRANSIENT_CODES = new Set([
  'NoConnection',
  'EConnectionClosed',
  'StateLogout',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ETIMEOUT',
  'LockTimeout',
  'ETHROTTLE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** RFC 5530 response codes after which the same command may work later. */
const TEMPORARY_RESPONSE_CODES = new Set(['UNAVAILABLE', 'INUSE', 'LIMIT', 'SERVERBUG', 'EXPUNGEISSUED']);

export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}

export function isConnectionLevel(err: unknown): boolean {
  const e = err as ImapErrorLike;
  if (e instanceof TransientRemoteError) return true;
  return Boolean(e && typeof e === 'object' && e.code && TRANSIENT_CODES.has(e.code));
}

/**
 * @param context what we were doing ("UID STORE 12 in INBOX"); never contains message content or credentials.
 * @param login the mailbox and secret version when the failure may be a login refusal.
 */
export function mapImapError(
  err: unknown,
  context: string,
  options: { secrets?: readonly string[]; login?: { email: string; secretVersion: string } } = {},
): SyncError {
  if (err instanceof SyncError) return err;
  const e = (err ?? {}) as ImapErrorLike;
  const secrets = options.secrets ?? [];
  const serverText = e.responseText ?? '';
  const code = e.code ?? '';
  const describe = (what: string) =>
    maskSecrets(
      `${context}: ${what}${code ? ` (${code})` : ''}${serverText ? `: ${serverText}` : ''}`.slice(0, 500),
      secrets,
    );

  if (code === 'ETHROTTLE' || e.serverResponseCode === 'LIMIT') {
    const retry = typeof e.throttleReset === 'number' ? e.throttleReset : undefined;
    return new TransientRemoteError(describe('the server throttled the session'), retry, 429);
  }
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    if (options.login) return new ImapLoginRejectedError(options.login.email, options.login.secretVersion);
    return new PermanentRemoteError(describe('the server refused the login'), 'AUTHENTICATIONFAILED');
  }
  if (TRANSIENT_CODES.has(code) || code.startsWith('ParserError')) {
    return new TransientRemoteError(describe('the connection failed'));
  }
  if (e.responseStatus === 'NO' || e.responseStatus === 'BAD') {
    if (e.serverResponseCode && TEMPORARY_RESPONSE_CODES.has(e.serverResponseCode.toUpperCase())) {
      return new TransientRemoteError(describe(`the server answered ${e.responseStatus}`));
    }
    if (options.login && /^(LOGIN|AUTHENTICATE)$/i.test(e.command ?? '')) {
      return new ImapLoginRejectedError(options.login.email, options.login.secretVersion);
    }
    return new PermanentRemoteError(
      describe(`the server answered ${e.responseStatus}`),
      e.serverResponseCode ?? e.responseStatus,
    );
  }
  // Anything else (a TLS failure, an unexpected exception inside the client) is worth another try later; the
  // message is masked because a library error may quote what it was given.
  return new TransientRemoteError(describe(maskSecrets(String(e.message ?? err), secrets)));
}
