import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAppContext } from '../shared/app/context';
import { checkHealth } from '../shared/app/health';
import { productVersion } from '../shared/platform/version';

export async function health(_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const report = await checkHealth(getAppContext(), productVersion());
  return { status: report.status === 'ok' ? 200 : 503, jsonBody: report };
}

app.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: health });
