import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAppContext } from '../shared/app/context';
import { checkHealth, publicHealth } from '../shared/app/health';
import { productVersion } from '../shared/platform/version';

const statusCode = (report: { status: string }) => (report.status === 'ok' ? 200 : 503);

/** For probes and anyone: 200 or 503 and the status alone. */
export async function health(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const report = await checkHealth(getAppContext(), productVersion());
  return { status: statusCode(report), jsonBody: publicHealth(report) };
}

/** For admins: mode, dry run, version and why storage cannot be read. The Functions host checks the key. */
export async function healthDetails(
  _request: HttpRequest,
  _context: InvocationContext,
): Promise<HttpResponseInit> {
  const report = await checkHealth(getAppContext(), productVersion());
  return { status: statusCode(report), jsonBody: report };
}

app.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: health });
// authLevel "function": the host answers 401 unless the request carries this function's key, a host key or the
// master key (?code= or x-functions-key), https://learn.microsoft.com/azure/azure-functions/function-keys-how-to
app.http('health-details', {
  route: 'health/details',
  methods: ['GET'],
  authLevel: 'function',
  handler: healthDetails,
});
