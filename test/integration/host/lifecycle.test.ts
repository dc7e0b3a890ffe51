import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Module from 'node:module';
import { QueueClient } from '@azure/storage-queue';
import { startLocalHost } from '../../../sandbox/host';
import { collectLogs, FIXTURE_APP, uniqueName, waitFor } from './support';

const connection = process.env.TEST_AZURITE_CONNECTION!;
// Inside the repository (so the app's require('@azure/functions') resolves) but in the git-ignored .sandbox/.
const scratch = path.join(__dirname, '..', '..', '..', '.sandbox', 'host-tests');

function makeApp(files: Record<string, string>): string {
  fs.mkdirSync(scratch, { recursive: true });
  const appRoot = fs.mkdtempSync(path.join(scratch, 'app-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(appRoot, name), text);
  return appRoot;
}

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('stop() closes the server, stops timers and pollers, waits for running work and restores the environment', async () => {
  const logs = collectLogs();
  const queueName = uniqueName('life');
  const requireBefore = (Module.prototype as unknown as { require: unknown }).require;
  expect(process.env.FIXTURE_QUEUE).toBeUndefined();
  const host = await startLocalHost({
    appRoot: FIXTURE_APP,
    port: 0,
    log: logs.sink,
    env: {
      FixtureStorage: connection,
      FIXTURE_QUEUE: queueName,
      FIXTURE_TICK_SCHEDULE: '* * * * * *',
      FIXTURE_SLOW_SCHEDULE: '0 0 0 1 1 *',
    },
  });
  expect(process.env.FIXTURE_QUEUE).toBe(queueName);
  const queue = new QueueClient(connection, queueName);
  await waitFor(() => queue.exists(), 10000, 'the queue');
  await waitFor(() => logs.events('tick').length > 0, 5000, 'a tick');

  // A message whose handler is still running when stop() is called: stop() must wait for it and delete it.
  await queue.sendMessage(Buffer.from(JSON.stringify({ tag: 'in-flight', sleepMs: 800 })).toString('base64'));
  await waitFor(() => logs.events('work').length > 0, 10000, 'the in-flight message');
  await host.stop();
  expect(
    logs.entries.some(
      (e) => e.functionName === 'work' && e.message.startsWith("Executed 'Functions.work' (Succeeded"),
    ),
  ).toBe(true);
  expect((await queue.getProperties()).approximateMessagesCount).toBe(0);

  expect(await refusesConnections(host.port)).toBe(true);
  expect(process.env.FIXTURE_QUEUE).toBeUndefined();
  expect((Module.prototype as unknown as { require: unknown }).require).toBe(requireBefore);

  const ticks = logs.events('tick').length;
  await queue.sendMessage(Buffer.from(JSON.stringify({ tag: 'after-stop' })).toString('base64'));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(logs.events('tick')).toHaveLength(ticks);
  expect(logs.events('work')).toHaveLength(1);
  expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
  await host.stop();
});

test('local.settings.json Values become app settings where not already set, and the file may set the port', async () => {
  const appRoot = makeApp({
    'package.json': JSON.stringify({ main: 'app.js' }),
    'app.js':
      "const { app } = require('@azure/functions');\n" +
      "app.http('settings', { handler: async () => ({ jsonBody: { a: process.env.HOST_TEST_A, b: process.env.HOST_TEST_B } }) });\n",
    'local.settings.json': JSON.stringify({
      IsEncrypted: false,
      Values: { HOST_TEST_A: 'from-file', HOST_TEST_B: 'from-file' },
      Host: { LocalHttpPort: 0 },
    }),
  });
  try {
    process.env.HOST_TEST_B = 'from-environment';
    const host = await startLocalHost({ appRoot, log: () => undefined, timers: false, queues: false });
    try {
      expect(host.port).toBeGreaterThan(0);
      expect(await (await fetch(`${host.url}/api/settings`)).json()).toEqual({
        a: 'from-file',
        b: 'from-environment',
      });
    } finally {
      await host.stop();
    }
    expect(process.env.HOST_TEST_A).toBeUndefined();
    expect(process.env.HOST_TEST_B).toBe('from-environment');
  } finally {
    delete process.env.HOST_TEST_B;
    fs.rmSync(appRoot, { recursive: true, force: true });
  }
});

test('an app whose entry file throws does not start, and leaves no setting behind', async () => {
  const appRoot = makeApp({
    'package.json': JSON.stringify({ main: 'broken.js' }),
    'broken.js': "throw new Error('cannot load');\n",
  });
  try {
    await expect(
      startLocalHost({ appRoot, port: 0, log: () => undefined, env: { HOST_TEST_C: 'x' } }),
    ).rejects.toThrow('cannot load');
    expect(process.env.HOST_TEST_C).toBeUndefined();
  } finally {
    fs.rmSync(appRoot, { recursive: true, force: true });
  }
});
