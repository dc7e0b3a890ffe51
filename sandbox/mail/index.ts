// Hand-written: no maintained embeddable IMAP server exists (hoodiecrow is deprecated, WildDuck needs MongoDB).
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { systemClock, type Clock } from '../../shared/platform/clock';
import { CommandLog } from './command-log';
import { mailboxCommands } from './commands-mailbox';
import { messageCommands } from './commands-messages';
import { sessionCommands } from './commands-session';
import { FakeMailControl } from './control';
import { MailFaults } from './faults';
import { Session, type ServerContext } from './session';
import { MailStore } from './store';

/**
 * A fake of DingTalk Mail's IMAP server (the Alibaba enterprise mail backend) over TLS: the real greeting and
 * capabilities, its refusals (SEARCH by criteria, keywords, anything not advertised), UIDPLUS answers, and fault
 * injection. See docs/sandbox.md, "Sandbox DingTalk Mail (IMAP)".
 */

export interface FakeMailServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** PEM cert and key; default: the files named by SANDBOX_TLS_CERT / SANDBOX_TLS_KEY. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  mailboxes?: Array<{ email: string; password: string }>;
  clock?: Clock;
  /** Largest message APPEND accepts (the sandbox's limit: 50 MB). */
  maxMessageBytes?: number;
}

export interface FakeMailServer {
  host: string;
  port: number;
  control: FakeMailControl;
  /** Closes every connection at once and stops listening. */
  stop(): Promise<void>;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 50 * 1024 * 1024;

export async function startFakeMailServer(options: FakeMailServerOptions = {}): Promise<FakeMailServer> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const store = new MailStore();
  for (const m of options.mailboxes ?? []) store.addAccount(m.email, m.password);
  const ctx: ServerContext = {
    store,
    faults: new MailFaults(),
    log: new CommandLog(),
    clock,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  };
  const commands = { ...sessionCommands, ...mailboxCommands, ...messageCommands };
  const tls = options.tls ?? sandboxTls();
  const sessions = new Set<Session>();
  let nextSession = 1;

  // A reply is several small writes (untagged lines, then the tagged one); with Nagle's algorithm each later write
  // waits for the ACK of the first, which the client delays by up to 40 ms: ~45 ms per command on loopback.
  const server = createServer({ cert: tls.cert, key: tls.key, noDelay: true }, (socket: TLSSocket) => {
    const session = new Session(nextSession++, socket, ctx, commands);
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
    session.run().catch(() => session.destroy());
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A client that gives up during the handshake (a port probe, a wrong CA) must not take the server down.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    host,
    port,
    control: new FakeMailControl(store, ctx.log, clock, ctx.faults),
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.destroy();
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function sandboxTls(): { cert: Buffer; key: Buffer } {
  const certFile = process.env.SANDBOX_TLS_CERT;
  const keyFile = process.env.SANDBOX_TLS_KEY;
  if (!certFile || !keyFile) {
    throw new Error(
      'The fake mail server speaks IMAP over TLS and needs SANDBOX_TLS_CERT and SANDBOX_TLS_KEY: run through scripts/with-sandbox-tls.js, or pass options.tls.',
    );
  }
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
