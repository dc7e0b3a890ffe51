import { execFile, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { freePort } from '../../sandbox/free-port';

/**
 * A private Dovecot for the IMAP tests: its own configuration, sockets, state and maildirs in a temporary
 * directory, an imaps listener on a free port of 127.0.0.1, and a capability line cut down to what DingTalk's
 * (Alibaba's) server advertises, so the client takes the paths without CONDSTORE, QRESYNC, MOVE, SPECIAL-USE or
 * ENABLE. Dovecot still accepts those commands when sent, so the suites assert on the client side that they are not.
 * Dovecot drops privileges, which needs root and the Debian package's `dovecot` and `dovenull` users.
 */

const run = promisify(execFile);
export const DOVECOT_BINARY = '/usr/sbin/dovecot';

export interface DovecotMailbox {
  email: string;
  password: string;
}

export interface DovecotServer {
  host: string;
  port: number;
  /** PEM of the certificate the listener presents (self-signed): the client's trust anchor. */
  ca: string;
  addMailbox(email: string, password: string): Promise<void>;
  /** Delivers a message by IMAP APPEND as the mailbox's owner. Returns the new UID. */
  deliver(
    email: string,
    folder: string,
    raw: string | Buffer,
    options?: { flags?: string[]; internalDate?: Date },
  ): Promise<number>;
  /**
   * A new UIDVALIDITY for one folder, the way a server announces that its UIDs were renumbered (RFC 3501 §2.3.1.1):
   * the folder's dovecot-uidlist is rewritten with a new value and every message gets a new UID.
   */
  changeUidValidity(email: string, folder: string): Promise<void>;
  /** A logged-in client for tests that act as "another client" of a mailbox. Caller logs out. */
  client(email: string): Promise<ImapFlow>;
  stop(): Promise<void>;
}

export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT_BINARY) && typeof process.getuid === 'function' && process.getuid() === 0;
}

async function certificate(): Promise<{ certFile: string; keyFile: string; ca: string }> {
  // The tests run under scripts/with-sandbox-tls.js, which makes a self-signed pair for 127.0.0.1 and trusts it.
  const cert = process.env.SANDBOX_TLS_CERT;
  const key = process.env.SANDBOX_TLS_KEY;
  if (!cert || !key || !existsSync(cert) || !existsSync(key)) {
    throw new Error(
      'SANDBOX_TLS_CERT/SANDBOX_TLS_KEY are not set: run the tests under scripts/with-sandbox-tls.js',
    );
  }
  return { certFile: cert, keyFile: key, ca: await fs.readFile(cert, 'utf8') };
}

async function uidGid(name: string): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['-u', name]);
  const { stdout: g } = await run('id', ['-g', name]);
  return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
}

export async function startDovecot(options: { mailboxes?: DovecotMailbox[] } = {}): Promise<DovecotServer> {
  if (!dovecotAvailable()) throw new Error(`${DOVECOT_BINARY} is missing or the tests do not run as root`);
  const dir = await fs.mkdtemp(join(tmpdir(), 'dovecot-'));
  await fs.chmod(dir, 0o755);
  const baseDir = join(dir, 'run');
  const stateDir = join(dir, 'state');
  const mailRoot = join(dir, 'mail');
  // One passwd-file per user: Dovecot opens it on each login, so a mailbox added a moment ago can log in at once
  // (one shared file is re-read only when its mtime changes, which misses additions within the same second).
  const passwd = join(dir, 'users');
  await Promise.all([baseDir, stateDir, mailRoot, passwd].map((d) => fs.mkdir(d, { recursive: true })));
  const owner = await uidGid('dovecot');
  await fs.chown(mailRoot, owner.uid, owner.gid);
  const tls = await certificate();
  const port = await freePort();
  const config = join(dir, 'dovecot.conf');
  await fs.writeFile(
    config,
    [
      `base_dir = ${baseDir}`,
      `state_dir = ${stateDir}`,
      `instance_name = dovecot-test-${port}`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'default_login_user = dovenull',
      'default_internal_user = dovecot',
      `first_valid_uid = ${owner.uid}`,
      `first_valid_gid = ${owner.gid}`,
      'log_path = /dev/stderr',
      'ssl = required',
      `ssl_cert = <${tls.certFile}`,
      `ssl_key = <${tls.keyFile}`,
      'auth_mechanisms = plain login',
      'disable_plaintext_auth = yes',
      `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${passwd}/%u\n}`,
      `userdb {\n  driver = passwd-file\n  args = username_format=%u ${passwd}/%u\n}`,
      `mail_location = maildir:${mailRoot}/%u`,
      'namespace inbox {',
      '  inbox = yes',
      '  separator = /',
      '  mailbox Trash {\n    auto = create\n    special_use = \\Trash\n  }',
      '  mailbox Sent {\n    auto = create\n    special_use = \\Sent\n  }',
      '}',
      'service imap-login {\n  inet_listener imap {\n    port = 0\n  }\n' +
        `  inet_listener imaps {\n    address = 127.0.0.1\n    port = ${port}\n    ssl = yes\n  }\n}`,
      'service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}',
      // DingTalk's server advertises IMAP4rev1 IDLE XLIST UIDPLUS ID. Dovecot cannot serve XLIST, so it is left out;
      // the client then finds Trash by name, which is the fallback the connector relies on anyway.
      'protocol imap {\n  imap_capability = IMAP4rev1 IDLE UIDPLUS ID\n}',
      '',
    ].join('\n'),
  );
  const child = spawn(DOVECOT_BINARY, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (exited !== 0) throw new Error(`dovecot did not start (exit ${exited}): ${stderr}`);
  await waitForPort(port);

  const passwords = new Map<string, string>();
  const server: DovecotServer = {
    host: '127.0.0.1',
    port,
    ca: tls.ca,
    async addMailbox(email, password) {
      if (/[:\n]/.test(email + password)) throw new Error('passwd-file entries cannot hold ":" or newlines');
      passwords.set(email, password);
      await fs.writeFile(
        join(passwd, email),
        `${email}:{PLAIN}${password}:${owner.uid}:${owner.gid}::${mailRoot}/${email}\n`,
      );
    },
    async client(email) {
      const password = passwords.get(email);
      if (password === undefined) throw new Error(`unknown mailbox ${email}`);
      const c = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: true,
        tls: { ca: tls.ca },
        auth: { user: email, pass: password },
        logger: false,
        disableAutoIdle: true,
      });
      await c.connect();
      return c;
    },
    async deliver(email, folder, raw, opts = {}) {
      const c = await server.client(email);
      try {
        const res = await c.append(folder, raw, opts.flags ?? [], opts.internalDate);
        if (!res || !res.uid) throw new Error('APPEND returned no APPENDUID');
        return res.uid;
      } finally {
        await c.logout();
      }
    },
    async changeUidValidity(email, folder) {
      const folderDir = folder === 'INBOX' ? join(mailRoot, email) : join(mailRoot, email, `.${folder}`);
      // Dovecot caches the UID list in dovecot.index*; removing them with the uidlist makes it renumber every
      // message under a fresh UIDVALIDITY (the time of the rescan), as after a restore from backup.
      const entries = await fs.readdir(folderDir);
      await Promise.all(
        entries
          .filter((e) => e === 'dovecot-uidlist' || e.startsWith('dovecot.index'))
          .map((e) => fs.rm(join(folderDir, e), { force: true })),
      );
      // UIDVALIDITY is a timestamp: make sure the new one differs from the old one.
      await new Promise((r) => setTimeout(r, 1100));
    },
    async stop() {
      const pidFile = join(baseDir, 'master.pid');
      const pid = Number((await fs.readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
        for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  for (const m of options.mailboxes ?? []) await server.addMailbox(m.email, m.password);
  return server;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on ${port}`);
}
