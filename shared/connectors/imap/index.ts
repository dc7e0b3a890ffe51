import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../platform/logger';
import type { MailProjection } from '../../sync/mail-message';
import type { SideAdapter } from '../../sync/types';
import { ImapConnectionPool } from './connection-pool';
import type { ImapCredentials } from './credentials';
import { ImapMailAdapter, type ImapMailAdapterOptions } from './mail-adapter';

export { ImapConnectionPool } from './connection-pool';
export * from './credentials';
export { mapImapError } from './errors';
export { ImapMailAdapter, ORIGIN_HEADER } from './mail-adapter';
export { decodeMailCursor, encodeMailCursor, type MailCursor } from './mail-cursor';

export interface ImapMailAdapterConfig extends Omit<ImapMailAdapterOptions, 'pool' | 'logger'> {
  /** imap.dingtalk.com in production. */
  host: string;
  /** 993 in production. */
  port: number;
  /** Implicit TLS (imaps, RFC 8314); false means STARTTLS, which is then required. */
  secure: boolean;
  credentials: ImapCredentials;
  tls?: Pick<ConnectionOptions, 'ca' | 'servername' | 'minVersion'>;
  /** Connection reuse: LOGOUT after this long unused (default 60 s). */
  idleMs?: number;
  /** Most connections open in this process (default 50). */
  maxConnections?: number;
  logger: Logger;
  /** Every command sent (credentials removed), for round-trip accounting. */
  onCommand?: (mailbox: string, command: string) => void;
}

export type ImapMailSideAdapter = SideAdapter<MailProjection> & { close(): Promise<void> };

/** The connection pool the adapters of one mailbox's folders share (one connection per mailbox). */
export function createImapPool(config: ImapMailAdapterConfig): ImapConnectionPool {
  return new ImapConnectionPool({
    host: config.host,
    port: config.port,
    secure: config.secure,
    tls: config.tls,
    credentials: config.credentials,
    idleMs: config.idleMs,
    maxConnections: config.maxConnections,
    logger: config.logger,
    onCommand: config.onCommand,
  });
}

/**
 * The DingTalk mail side of one folder (INBOX unless `folder` says otherwise). Without `pool` it has a pool of its
 * own, closed by close(); adapters of several folders pass one shared pool and close that.
 */
export function createImapMailAdapter(
  config: ImapMailAdapterConfig & {
    pool?: ImapConnectionPool;
    folder?: string;
    kind?: 'mail' | 'sentmail';
  },
): ImapMailAdapter {
  return new ImapMailAdapter({
    pool: config.pool ?? createImapPool(config),
    lookBackDays: config.lookBackDays,
    flagWindow: config.flagWindow,
    fullScanEveryMs: config.fullScanEveryMs,
    windowScanEveryMs: config.windowScanEveryMs,
    maxTracked: config.maxTracked,
    pageSize: config.pageSize,
    folder: config.folder,
    kind: config.kind,
    clock: config.clock,
    logger: config.logger,
  });
}
