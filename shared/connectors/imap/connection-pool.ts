import type { ConnectionOptions } from 'node:tls';
import { ImapFlow } from 'imapflow';
import type { Logger } from '../../platform/logger';
import { productVersion } from '../../platform/version';
import { type ImapCredentials, ImapLoginRejectedError, MissingAppPasswordError } from './credentials';
import { isConnectionLevel, mapImapError, maskSecrets } from './errors';

/**
 * One authenticated IMAP connection per mailbox, reused for a short while (a poll every minute or two then costs
 * no TLS handshake and no LOGIN), with a per-mailbox mutex so one process never runs two command streams (two
 * pollers, or a poll and a write) against the same mailbox, and a global cap on open connections.
 *
 * IMAP allows several sessions per mailbox, but a second concurrent session of ours would race the first one's
 * snapshot diff; serialising inside the process, plus the engine's per-pair lease across processes, rules it out.
 */

export interface ImapPoolOptions {
  host: string;
  port: number;
  secure: boolean;
  tls?: ConnectionOptions;
  credentials: ImapCredentials;
  /** Close (LOGOUT) a connection unused for this long (default 60 s). */
  idleMs?: number;
  /** Most connections open at once in this process (default 50); the least recently used idle one is closed. */
  maxConnections?: number;
  logger?: Logger;
  /**
   * Called with every command the client sends, tag removed, credentials removed (LOGIN/AUTHENTICATE reduced to
   * the verb). For round-trip accounting and for tests that assert which commands are (not) sent.
   */
  onCommand?: (email: string, command: string) => void;
  /** imapflow's socket inactivity timeout (default 2 min: a hung server must not hold a poll for imapflow's 5). */
  socketTimeoutMs?: number;
}

interface Entry {
  email: string;
  client?: ImapFlow;
  password?: string;
  tail: Promise<void>;
  busy: boolean;
  lastUsed: number;
  timer?: NodeJS.Timeout;
}

/** IMAP verbs we forward to onCommand; anything else in a client line (literal data, SASL responses) is dropped. */
const VERBS = new Set([
  'CAPABILITY',
  'NOOP',
  'LOGOUT',
  'STARTTLS',
  'AUTHENTICATE',
  'LOGIN',
  'SELECT',
  'EXAMINE',
  'CREATE',
  'DELETE',
  'RENAME',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'LIST',
  'LSUB',
  'XLIST',
  'STATUS',
  'APPEND',
  'CHECK',
  'CLOSE',
  'UNSELECT',
  'EXPUNGE',
  'SEARCH',
  'FETCH',
  'STORE',
  'COPY',
  'MOVE',
  'UID',
  'ID',
  'IDLE',
  'ENABLE',
  'NAMESPACE',
  'COMPRESS',
  'GETQUOTAROOT',
  'GETQUOTA',
]);

/** "7 UID FETCH 1:* (FLAGS)" → "UID FETCH 1:* (FLAGS)"; LOGIN/AUTHENTICATE keep only the verb. */
export function commandOf(line: string): string | undefined {
  const m = /^[A-Za-z0-9]+ ([A-Za-z]+)(.*)$/s.exec(line);
  if (!m) return undefined;
  const verb = m[1].toUpperCase();
  if (!VERBS.has(verb)) return undefined;
  if (verb === 'LOGIN' || verb === 'AUTHENTICATE') return verb;
  return `${verb}${m[2]}`;
}

export class ImapConnectionPool {
  private readonly entries = new Map<string, Entry>();
  /** email → secret version the server refused: not tried again until the stored secret changes. */
  private readonly rejected = new Map<string, string>();
  private readonly waiters: (() => void)[] = [];
  private readonly idleMs: number;
  private readonly maxConnections: number;
  private closed = false;

  constructor(private readonly options: ImapPoolOptions) {
    this.idleMs = options.idleMs ?? 60_000;
    this.maxConnections = options.maxConnections ?? 50;
  }

  /** Open connections (for tests and metrics). */
  get openConnections(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.client) n++;
    return n;
  }

  /**
   * Runs fn with the mailbox's connection, after every earlier operation on that mailbox finished. Errors come out
   * mapped to SyncErrors; a connection-level failure drops the connection, so the next call opens a new one.
   */
  async withMailbox<T>(email: string, what: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the IMAP connection pool is closed');
    const entry = this.entryOf(email);
    const previous = entry.tail;
    let release!: () => void;
    entry.tail = new Promise<void>((r) => (release = r));
    await previous;
    entry.busy = true;
    if (entry.timer) clearTimeout(entry.timer);
    try {
      const client = await this.clientOf(entry);
      try {
        return await fn(client);
      } catch (err) {
        if (isConnectionLevel(err) || !client.usable) this.drop(entry);
        throw mapImapError(err, what, { secrets: entry.password ? [entry.password] : [] });
      }
    } finally {
      entry.busy = false;
      entry.lastUsed = Date.now();
      if (entry.client) {
        entry.timer = setTimeout(() => void this.retire(entry), this.idleMs);
        entry.timer.unref();
      }
      release();
      this.waiters.shift()?.();
    }
  }

  /** LOGOUT every connection. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.values()].map((e) => this.retire(e, true)));
  }

  private entryOf(email: string): Entry {
    const key = email.toLowerCase();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { email, tail: Promise.resolve(), busy: false, lastUsed: 0 };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private async clientOf(entry: Entry): Promise<ImapFlow> {
    if (entry.client?.usable) return entry.client;
    if (entry.client) this.drop(entry);
    await this.makeRoom();
    const login = await this.options.credentials.loginFor(entry.email);
    if (!login) throw new MissingAppPasswordError(entry.email);
    if (this.rejected.get(entry.email) === login.version) {
      throw new ImapLoginRejectedError(entry.email, login.version);
    }
    const onCommand = this.options.onCommand;
    const log = this.options.logger;
    const secrets = [login.password];
    const forward =
      (level: 'warn' | 'error') =>
      (obj: { msg?: string; err?: { code?: string } }): void => {
        log?.[level]('imap client', {
          mailbox: entry.email,
          msg: maskSecrets(String(obj?.msg ?? ''), secrets).slice(0, 300),
          code: obj?.err?.code,
        });
      };
    const client = new ImapFlow({
      host: this.options.host,
      port: this.options.port,
      secure: this.options.secure,
      tls: this.options.tls,
      doSTARTTLS: this.options.secure ? undefined : true,
      auth: { user: login.user, pass: login.password },
      clientInfo: { name: 'dingtalk-m365-sync', version: productVersion() },
      // A Function instance never idles on a mailbox: IDLE needs a socket kept for minutes (and Alibaba's IMAP, emersion/go-imap#638, offers nothing better).
      disableAutoIdle: true,
      disableCompression: true,
      socketTimeout: this.options.socketTimeoutMs ?? 120_000,
      connectionTimeout: 30_000,
      // imapflow's own log holds the server's answers and the commands sent; only the command verbs and warnings
      // pass through, credentials removed (commandOf), and never at info level.
      logger: {
        debug: (obj: { src?: string; msg?: string }) => {
          if (onCommand && obj?.src === 'c' && typeof obj.msg === 'string') {
            const cmd = commandOf(obj.msg);
            if (cmd) onCommand(entry.email, cmd);
          }
        },
        info: () => undefined,
        warn: forward('warn'),
        error: forward('error'),
      },
    });
    // An 'error' event without a listener would crash the process; the failing command rejects as well.
    client.on('error', () => undefined);
    client.on('close', () => {
      if (entry.client === client) entry.client = undefined;
    });
    try {
      await client.connect();
    } catch (err) {
      client.close();
      const mapped = mapImapError(err, `connecting to the mailbox ${entry.email}`, {
        secrets,
        login: { email: entry.email, secretVersion: login.version },
      });
      if (mapped instanceof ImapLoginRejectedError) this.rejected.set(entry.email, login.version);
      throw mapped;
    }
    this.rejected.delete(entry.email);
    entry.client = client;
    entry.password = login.password;
    return client;
  }

  /** Waits until a connection may be opened, closing the least recently used idle one when at the cap. */
  private async makeRoom(): Promise<void> {
    for (;;) {
      if (this.openConnections < this.maxConnections) return;
      const idle = [...this.entries.values()]
        .filter((e) => e.client && !e.busy)
        .sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (idle) {
        await this.retire(idle, true);
        continue;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private drop(entry: Entry): void {
    const client = entry.client;
    entry.client = undefined;
    entry.password = undefined;
    client?.close();
  }

  private async retire(entry: Entry, force = false): Promise<void> {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.busy && !force) return;
    const client = entry.client;
    entry.client = undefined;
    entry.password = undefined;
    if (!client) return;
    try {
      await client.logout();
    } catch {
      client.close();
    }
  }
}
