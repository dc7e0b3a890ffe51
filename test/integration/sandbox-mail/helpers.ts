import { connect, type TLSSocket } from 'node:tls';
import { ImapFlow } from 'imapflow';
import { startFakeMailServer, type FakeMailServer, type FakeMailServerOptions } from '../../../sandbox/mail';

/** A raw IMAP client over TLS, for asserting exact reply lines. */
export class RawImap {
  private buffer = '';
  private waiters: Array<() => void> = [];
  private tagCounter = 0;
  closed = false;

  private constructor(private readonly socket: TLSSocket) {
    socket.on('data', (d: Buffer) => {
      this.buffer += d.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(server: FakeMailServer): Promise<{ client: RawImap; greeting: string }> {
    const socket = connect({ host: server.host, port: server.port, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    const client = new RawImap(socket);
    const [greeting] = await client.readLines((lines) => lines.length >= 1);
    return { client, greeting };
  }

  static async login(server: FakeMailServer, email: string, password: string): Promise<RawImap> {
    const { client } = await RawImap.open(server);
    const lines = await client.command(`LOGIN ${email} ${password}`);
    if (!lines[lines.length - 1].includes(' OK ')) throw new Error(lines.join('\n'));
    return client;
  }

  /** Sends a command with a fresh tag; returns every line up to and including the tagged one. */
  async command(line: string): Promise<string[]> {
    const tag = `t${++this.tagCounter}`;
    this.write(`${tag} ${line}\r\n`);
    return this.untilTagged(tag);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  async untilTagged(tag: string): Promise<string[]> {
    return this.readLines((lines) => lines.some((l) => l.startsWith(`${tag} `)));
  }

  /** Lines (literal data kept inline) until `done` holds; consumed from the buffer. */
  async readLines(done: (lines: string[]) => boolean, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.buffer.split('\r\n').slice(0, -1);
      if (done(lines)) {
        let count = 0;
        while (!done(lines.slice(0, count))) count++;
        const taken = lines.slice(0, count);
        this.buffer = this.buffer.slice(taken.join('\r\n').length + 2);
        return taken;
      }
      if (this.closed) throw new Error(`connection closed; received: ${JSON.stringify(this.buffer)}`);
      if (Date.now() > deadline) throw new Error(`timed out; received: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Whatever arrived so far, without waiting. */
  pending(): string {
    return this.buffer;
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('still open');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

export const ALICE = { email: 'alice.chen@contoso.com', password: 'app-pass-alice' };
export const BOB = { email: 'bob.li@contoso.com', password: 'app-pass-bob' };

export function startServer(options: FakeMailServerOptions = {}): Promise<FakeMailServer> {
  return startFakeMailServer({ mailboxes: [ALICE, BOB], ...options });
}

export function imapClient(server: FakeMailServer, who = ALICE): ImapFlow {
  return new ImapFlow({
    host: server.host,
    port: server.port,
    secure: true,
    auth: { user: who.email, pass: who.password },
    logger: false,
    clientInfo: { name: 'dingtalk-m365-sync-test', version: '1' },
  });
}

export function message(subject: string, body = 'Hello\r\n', extraHeaders = ''): string {
  return (
    `From: Zhang Wei <zhang.wei@contoso.com>\r\nTo: Alice Chen <alice.chen@contoso.com>\r\n` +
    `Subject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@contoso.com>\r\n` +
    `Date: Mon, 23 Nov 2026 10:00:00 +0800\r\n${extraHeaders}\r\n${body}`
  );
}
