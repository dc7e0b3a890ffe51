import { InvocationContext, type HttpRequest } from '@azure/functions';
import { health, healthDetails } from '../../../functions/health';
import { setAppContext, type AppContext } from '../../../shared/app/context';
import { storageProblem } from '../../../shared/app/health';
import { createLogger, type LogLevel } from '../../../shared/platform/logger';

/** GET /api/health (anonymous) and GET /api/health/details (function key), with storage that works or fails. */

const ACCOUNT = 'stdtsyncq7x2k';
/** What the storage SDK puts in a 403's message: the account, the request id, the time. */
const refused = Object.assign(
  new Error(
    `This request is not authorized to perform this operation using this permission.\nRequestId:6f1c…\n` +
      `Time:2026-11-22T08:00:00Z https://${ACCOUNT}.table.core.windows.net/users(PartitionKey='x')`,
  ),
  { name: 'RestError', statusCode: 403, code: 'AuthorizationPermissionMismatch' },
);

let lines: Array<{ level: LogLevel; line: string }>;

function appWith(get: () => Promise<unknown>, mode: 'sandbox' | 'live' = 'live'): void {
  lines = [];
  const app = {
    config: { mode, sync: { dryRun: true } },
    stores: { users: { get } },
    log: createLogger({ level: 'debug', sink: (level, line) => lines.push({ level, line }) }),
  } as unknown as AppContext;
  setAppContext(app);
}

const context = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });
const request = {} as HttpRequest;

afterAll(() => setAppContext(undefined as unknown as AppContext));

test('anonymous callers get the status and nothing else: 200 when storage answers', async () => {
  appWith(async () => undefined);
  expect(await health(request, context())).toEqual({ status: 200, jsonBody: { status: 'ok' } });
});

test('anonymous callers get 503 and the status alone when storage fails; the error goes to the log', async () => {
  appWith(async () => {
    throw refused;
  });
  const response = await health(request, context());
  expect(response).toEqual({ status: 503, jsonBody: { status: 'degraded' } });
  expect(JSON.stringify(response)).not.toContain(ACCOUNT);
  expect(lines.some((l) => l.level === 'warn' && l.line.includes('AuthorizationPermissionMismatch'))).toBe(
    true,
  );
});

test('with a key: mode, dry run, version and the storage problem in plain words, never the raw error', async () => {
  appWith(async () => {
    throw refused;
  });
  const response = await healthDetails(request, context());
  expect(response.status).toBe(503);
  expect(response.jsonBody).toEqual({
    status: 'degraded',
    mode: 'live',
    version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    dryRun: true,
    storage: {
      reachable: false,
      problem: expect.stringContaining('Storage Table Data Contributor'),
    },
    process: {
      node: process.version,
      heapLimitMb: expect.any(Number),
      mallocMmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? null,
    },
  });
  const text = JSON.stringify(response);
  expect(text).not.toContain(ACCOUNT);
  expect(text).not.toContain('RequestId');
});

test('the storage problem names what to check for each kind of failure', () => {
  const err = (fields: Record<string, unknown>) => Object.assign(new Error('raw text'), fields);
  expect(storageProblem(err({ name: 'CredentialUnavailableError' }), 'live')).toMatch(/AZURE_CLIENT_ID/);
  expect(storageProblem(err({ code: 'ENOTFOUND' }), 'live')).toMatch(/AzureWebJobsStorage__accountName/);
  expect(storageProblem(err({ code: 'ECONNREFUSED' }), 'sandbox')).toMatch(/Azurite/);
  expect(storageProblem(err({ code: 'ECONNREFUSED' }), 'live')).not.toMatch(/Azurite/);
  expect(storageProblem(err({ statusCode: 500, code: 'InternalError' }), 'live')).toBe(
    "storage answered with an error (500 InternalError); the app's log has the details",
  );
  for (const problem of [storageProblem(err({}), 'live'), storageProblem('text', 'live')]) {
    expect(problem).not.toContain('raw text');
  }
});
