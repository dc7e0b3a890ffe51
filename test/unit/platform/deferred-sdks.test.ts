import fs from 'node:fs';
import path from 'node:path';
import { InvocationContext, type HttpRequest, type Timer } from '@azure/functions';
import { registrations } from '../../support/functions-core-mock';
import type * as TestAppModule from '../../support/app-context';

/**
 * Cold start: loading the function app must not load the SDKs (hundreds of modules, 30–300 ms each); each one
 * loads when an invocation first needs it. Every module below is replaced by itself plus a note that it loaded.
 */
const mockLoaded = new Set<string>();

const SDKS = [
  '@azure/data-tables',
  '@azure/storage-queue',
  '@azure/identity',
  '@azure/keyvault-secrets',
  '@microsoft/microsoft-graph-client',
];
// Not hoisted above the imports like a top-level jest.mock, but none of the imports above loads an SDK.
for (const sdk of SDKS) {
  jest.mock(sdk, () => {
    mockLoaded.add(sdk);
    return jest.requireActual(sdk);
  });
}
jest.mock('../../../shared/app/worker', () => {
  mockLoaded.add('worker');
  return jest.requireActual('../../../shared/app/worker');
});
// The remote services are not built here: the maintenance run stops where it first asks for them.
jest.mock('../../../shared/app/services', () => {
  mockLoaded.add('services');
  return {
    ...jest.requireActual('../../../shared/app/services'),
    getServices: () => {
      throw new Error('remote services are not built in this test');
    },
  };
});

const FUNCTIONS_DIR = path.join(__dirname, '..', '..', '..', 'functions');

type Handler = (...args: unknown[]) => Promise<unknown>;
const handlers: Record<string, Handler> = {};

const context = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });

beforeAll(() => {
  // What the worker does with package.json "main": require every entry file of the functions folder.
  for (const file of fs.readdirSync(FUNCTIONS_DIR).filter((f) => f.endsWith('.ts'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading registers the functions
    Object.assign(handlers, require(path.join(FUNCTIONS_DIR, file)));
  }
});

describe('loading the function app', () => {
  test('registers every function and loads none of the SDKs, the remote services or the worker', () => {
    expect([...registrations.keys()].sort()).toEqual([
      'consent',
      'consent-callback',
      'dingtalk-events',
      'graph-lifecycle',
      'graph-notifications',
      'health',
      'health-details',
      'maintenance',
      'status-action',
      'status-audit',
      'status-page',
      'status-preflight',
      'status-user',
      'sync-worker',
    ]);
    expect([...mockLoaded]).toEqual([]);
  });

  test('the first invocation loads only what it uses: health reads a table, over a connection string', async () => {
    // Required here: it builds on the app's own modules, which must load with the functions, not before.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createTestApp } = require('../../support/app-context') as typeof TestAppModule;
    createTestApp();
    const response = (await handlers.health!({} as HttpRequest, context())) as { status: number };
    expect(response.status).toBe(200);
    expect([...mockLoaded]).toEqual(['@azure/data-tables']);
  });

  test('the remote services and the worker load with the first queue message; maintenance reaches them too', async () => {
    expect(mockLoaded.has('services') || mockLoaded.has('worker')).toBe(false);
    await expect(handlers.syncWorker!({ not: 'a work item' }, context())).resolves.toBeUndefined();
    expect(mockLoaded.has('services') && mockLoaded.has('worker')).toBe(true);
    await expect(handlers.maintenance!({} as Timer, context())).rejects.toThrow(
      'remote services are not built in this test',
    );
  });
});
