import { connect as tcpConnect } from 'node:net';
import type { FakeMailServer } from '../../../sandbox/mail';
import { ALICE, BOB, imapClient, message, RawImap, startServer } from './helpers';

/** Every fault kind, and that stop() ends every connection and leaves nothing running. */

let server: FakeMailServer;

beforeEach(async () => {
  server = await startServer();
  server.control.deliver(ALICE.email, 'INBOX', message('one', 'x'.repeat(2000)));
});

afterEach(async () => {
  await server.stop();
});

test('drop-mid-fetch cuts the connection inside the first FETCH response', async () => {
  server.control.faults.inject({ kind: 'drop-mid-fetch', email: ALICE.email });
  const client = await RawImap.login(server, ALICE.email, ALICE.password);
  await client.command('SELECT INBOX');
  client.write('f1 UID FETCH 1:* (UID BODY.PEEK[])\r\n');
  await client.waitClosed();
  expect(client.pending()).toMatch(/^\* 1 FETCH \(UID 1 BODY\[\] \{\d+\}\r\nFrom: /);
  expect(client.pending()).not.toContain('f1 OK');
  expect(server.control.faults.list()).toEqual([]);
  const again = await RawImap.login(server, ALICE.email, ALICE.password);
  await again.command('SELECT INBOX');
  expect((await again.command('UID FETCH 1 (UID)'))[0]).toBe('* 1 FETCH (UID 1)');
  again.close();
});

test('bye answers * BYE and closes instead of running the command', async () => {
  server.control.faults.inject({ kind: 'bye', command: 'SELECT' });
  const client = await RawImap.login(server, ALICE.email, ALICE.password);
  client.write('s1 SELECT INBOX\r\n');
  await client.waitClosed();
  expect(client.pending()).toBe('* BYE connection closed by server\r\n');
});

test('slow delays the matching command by delayMs', async () => {
  server.control.faults.inject({ kind: 'slow', command: 'NOOP', delayMs: 300, times: 2 });
  const client = await RawImap.login(server, ALICE.email, ALICE.password);
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    await client.command('NOOP');
    const elapsed = Date.now() - started;
    if (i < 2) expect(elapsed).toBeGreaterThanOrEqual(290);
    else expect(elapsed).toBeLessThan(250);
  }
  client.close();
});

test('login-refused refuses the right password for one mailbox only, the given number of times', async () => {
  server.control.faults.inject({ kind: 'login-refused', email: ALICE.email, times: 1 });
  await expect(RawImap.login(server, ALICE.email, ALICE.password)).rejects.toThrow('NO LOGIN refused');
  (await RawImap.login(server, BOB.email, BOB.password)).close();
  (await RawImap.login(server, ALICE.email, ALICE.password)).close();
  expect(server.control.loginCount(ALICE.email)).toBe(1);
});

test('bad answers BAD invalid command or parameters; imapflow sees the command fail', async () => {
  server.control.faults.inject({ kind: 'bad', command: 'FETCH', times: Infinity });
  const client = imapClient(server);
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  try {
    await expect(client.fetchOne('1', { uid: true, flags: true }, { uid: true })).rejects.toThrow();
  } finally {
    lock.release();
  }
  server.control.faults.clear();
  const lock2 = await client.getMailboxLock('INBOX');
  try {
    expect(await client.fetchOne('1', { uid: true }, { uid: true })).toMatchObject({ uid: 1 });
  } finally {
    lock2.release();
  }
  await client.logout();
});

test('stop() closes every connection promptly and leaves no open handle', async () => {
  await server.stop();
  const baseline = process.getActiveResourcesInfo();
  server = await startServer();
  const raw = await RawImap.login(server, ALICE.email, ALICE.password);
  await raw.command('SELECT INBOX');
  raw.write('i1 IDLE\r\n');
  const flow = imapClient(server, BOB);
  flow.on('error', () => undefined);
  await flow.connect();
  server.control.faults.inject({ kind: 'slow', command: 'STATUS', delayMs: 60_000 });
  const stuck = await RawImap.login(server, BOB.email, BOB.password);
  stuck.write('n1 STATUS INBOX (MESSAGES)\r\n');
  // A client that opened TCP and never started TLS.
  const bare = tcpConnect(server.port, server.host);
  await new Promise((resolve) => bare.once('connect', resolve));
  const bareClosed = new Promise((resolve) => bare.once('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));

  const started = Date.now();
  await server.stop();
  expect(Date.now() - started).toBeLessThan(1000);
  await raw.waitClosed();
  await stuck.waitClosed();
  await bareClosed;
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(flow.usable).toBe(false);
  // Nothing of the server's kinds (listening socket, TLS/TCP sockets, timers) is left beyond what was there before.
  const count = (list: string[]): Record<string, number> =>
    list.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r]: (acc[r] ?? 0) + 1 }), {});
  const before = count(baseline);
  const after = count(process.getActiveResourcesInfo());
  for (const kind of ['TCPServerWrap', 'TCPSocketWrap', 'TLSWrap', 'Timeout']) {
    expect(`${kind} ${after[kind] ?? 0}`).toBe(`${kind} ${Math.min(after[kind] ?? 0, before[kind] ?? 0)}`);
  }
  // Restart so afterEach has something to stop.
  server = await startServer();
});
