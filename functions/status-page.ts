import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAppContext } from '../shared/app/context';
import { readStatusForm } from '../shared/app/status/form';
import { serveStatus, type StatusRoute } from '../shared/app/status/status-routes';

/** The admin's status page (docs/status-page.md): wiring only; access is checked in shared/app/status. */
function handlerFor(route: StatusRoute) {
  return async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const form = request.method === 'POST' ? await readStatusForm(request) : undefined;
    const response = await serveStatus(
      route,
      { method: request.method, url: request.url, header: (name) => request.headers.get(name), form },
      { app: getAppContext() },
    );
    return { status: response.status, headers: response.headers, body: response.body };
  };
}

export const statusOrg = handlerFor('org');
export const statusUser = handlerFor('user');
export const statusAction = handlerFor('action');
export const statusAudit = handlerFor('audit');
export const statusPreflight = handlerFor('preflight');

// authLevel "anonymous": the page checks who is asking itself (Entra sign-in with the Sync.Admin role in Azure, the
// STATUS_PAGE_KEY in the sandbox); a function key in the address would end up in the admin's browser history.
const anonymous = { authLevel: 'anonymous' as const };
app.http('status-page', { ...anonymous, route: 'status', methods: ['GET'], handler: statusOrg });
app.http('status-user', { ...anonymous, route: 'status/user', methods: ['GET'], handler: statusUser });
app.http('status-action', { ...anonymous, route: 'status/action', methods: ['POST'], handler: statusAction });
app.http('status-audit', { ...anonymous, route: 'status/audit', methods: ['GET'], handler: statusAudit });
app.http('status-preflight', {
  ...anonymous,
  route: 'status/preflight',
  methods: ['POST'],
  handler: statusPreflight,
});
