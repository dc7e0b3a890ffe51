import { ImapFlow } from 'imapflow';
import { startFakeMailServer } from '../../sandbox/mail';
import { DOVECOT_BINARY, dovecotAvailable, startDovecot } from './dovecot';

/**
 * The IMAP servers a contract suite runs against: a private Dovecot (when installed; CI installs it, and there its
 * absence fails the run) and the sandbox's fake DingTalk mail server. Tests deliver mail
 * and act as "another client" over IMAP itself, so the same steps work on both.
 */

export interface ImapTestServer {
  name: string;
  host: string;
  port: number;
  /** Trust anchor for the server's certificate when the process does not already trust it. */
  ca?: string;
  addMailbox(email: string, password: string): Promise<void>;
  /** Another IMAP client of the mailbox (caller logs out). */
  client(email: string): Promise<ImapFlow>;
  /** Renumbers a folder under a new UIDVALIDITY. */
  changeUidValidity(email: string, folder: string): Promise<void>;
  stop(): Promise<void>;
}

export interface ImapServerLeg {
  name: string;
  /** Why the leg cannot run here, or undefined when it can. */
  unavailable?: string;
  /** Whether the leg's absence fails the run (Dovecot under CI). */
  required: boolean;
  start(): Promise<ImapTestServer>;
}

function clientFor(host: string, port: number, ca: string | undefined, user: string, pass: string): ImapFlow {
  return new ImapFlow({
    host,
    port,
    secure: true,
    tls: ca ? { ca } : undefined,
    auth: { user, pass },
    logger: false,
    disableAutoIdle: true,
  });
}

export function imapServerLegs(): ImapServerLeg[] {
  const legs: ImapServerLeg[] = [
    {
      name: 'dovecot',
      required: Boolean(process.env.CI),
      unavailable: dovecotAvailable()
        ? undefined
        : `${DOVECOT_BINARY} is not installed (or not running as root)`,
      async start() {
        const d = await startDovecot();
        return {
          name: 'dovecot',
          host: d.host,
          port: d.port,
          ca: d.ca,
          addMailbox: (e, p) => d.addMailbox(e, p),
          client: (e) => d.client(e),
          changeUidValidity: (e, f) => d.changeUidValidity(e, f),
          stop: () => d.stop(),
        };
      },
    },
  ];
  legs.push({
    name: 'sandbox',
    required: true,
    async start() {
      const fake = await startFakeMailServer({ host: '127.0.0.1' });
      const passwords = new Map<string, string>();
      return {
        name: 'sandbox',
        host: fake.host,
        port: fake.port,
        async addMailbox(email, password) {
          passwords.set(email, password);
          await fake.control.addMailbox(email, password);
        },
        async client(email) {
          const c = clientFor(fake.host, fake.port, undefined, email, passwords.get(email) ?? '');
          await c.connect();
          return c;
        },
        async changeUidValidity(email, folder) {
          await fake.control.changeUidValidity(email, folder);
        },
        async stop() {
          await fake.stop();
        },
      };
    },
  });
  return legs;
}
