import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readHostConfig, timeSpanMs } from '../../../sandbox/host/host-config';

const created: string[] = [];
afterAll(() => created.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function appWithHostJson(hostJson: unknown): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'host-json-'));
  created.push(root);
  if (hostJson !== undefined) fs.writeFileSync(path.join(root, 'host.json'), JSON.stringify(hostJson));
  return root;
}

test('without host.json the runtime defaults apply', () => {
  const config = readHostConfig(appWithHostJson(undefined), {});
  expect(config.routePrefix).toBe('api');
  expect(config.queues).toMatchObject({
    batchSize: 16,
    maxDequeueCount: 5,
    visibilityTimeoutMs: 0,
    maxPollingIntervalMs: 60_000,
    messageEncoding: 'base64',
  });
  expect(config.queues.newBatchThreshold).toBe(8 * os.availableParallelism());
});

test('host.json settings are read, keys case-insensitively', () => {
  const config = readHostConfig(
    appWithHostJson({
      extensions: {
        http: { routePrefix: '/v1/' },
        Queues: {
          BatchSize: 8,
          newBatchThreshold: 3,
          maxDequeueCount: 2,
          visibilityTimeout: '00:00:30',
          messageEncoding: 'None',
        },
      },
    }),
    {},
  );
  expect(config.routePrefix).toBe('v1');
  expect(config.queues).toMatchObject({
    batchSize: 8,
    newBatchThreshold: 3,
    maxDequeueCount: 2,
    visibilityTimeoutMs: 30_000,
    messageEncoding: 'none',
  });
});

test('an empty routePrefix puts routes at the root', () => {
  expect(readHostConfig(appWithHostJson({ extensions: { http: { routePrefix: '' } } }), {}).routePrefix).toBe(
    '',
  );
});

test('AzureFunctionsJobHost__ app settings override host.json', () => {
  const config = readHostConfig(appWithHostJson({ extensions: { queues: { batchSize: 8 } } }), {
    AzureFunctionsJobHost__extensions__queues__batchSize: '2',
    azurefunctionsjobhost__Extensions__Http__RoutePrefix: 'hooks',
  });
  expect(config.queues.batchSize).toBe(2);
  expect(config.routePrefix).toBe('hooks');
});

test('out-of-range queue settings are errors, as in the runtime', () => {
  expect(() => readHostConfig(appWithHostJson({ extensions: { queues: { batchSize: 33 } } }), {})).toThrow(
    /between 1 and 32/,
  );
  expect(() =>
    readHostConfig(appWithHostJson({ extensions: { queues: { maxDequeueCount: 0 } } }), {}),
  ).toThrow(/not be less than 1/);
});

test('TimeSpan text in milliseconds', () => {
  expect(timeSpanMs('00:00:10', 0)).toBe(10_000);
  expect(timeSpanMs('01:02:03.5', 0)).toBe(3_723_500);
  expect(timeSpanMs('1.00:00:00', 0)).toBe(86_400_000);
  expect(timeSpanMs('2', 0)).toBe(172_800_000);
  expect(timeSpanMs(2000, 0)).toBe(2000);
  expect(timeSpanMs(undefined, 7)).toBe(7);
  expect(() => timeSpanMs('ten seconds', 0)).toThrow(/Not a TimeSpan/);
});
