import type { AppContext } from '../context';
import type * as PreflightModule from '../preflight';
import { checkAccess, csrfToken, validPost, type Admin, type StatusRequest } from './access';
import { runStatusAction } from './actions';
import { auditResponse } from './audit-page';
import { actionPage, forgedPost, searchPage } from './result-pages';
import { userPage } from './user-page';
import { findPair, readUserView } from './user-view';
import { htmlPage, p, type HtmlPage } from './html';
import { lagChart, readLagSeries } from './lag-chart';
import { preflightPage } from './preflight-page';
import { orgPage } from './org-page';
import { readOrgView } from './org-view';
import { refusalPage } from './refusal-page';

/** The status page's routes, behind one access check (functions/status-page.ts wires them). */
export type StatusRoute = 'org' | 'user' | 'action' | 'audit' | 'preflight';

export type StatusResponse = HtmlPage;

export interface StatusInput extends StatusRequest {
  /** The form of a POST (application/x-www-form-urlencoded), read by the wiring. */
  form?: URLSearchParams;
}

export interface StatusDeps {
  app: AppContext;
}

/** Route handlers after the access check. */
export type RouteHandler = (input: StatusInput, admin: Admin, deps: StatusDeps) => Promise<StatusResponse>;

const handlers: Partial<Record<StatusRoute, RouteHandler>> = {
  org: async (_input, admin, { app }) => {
    const now = app.clock.now();
    const [view, lag] = await Promise.all([
      readOrgView({ stores: app.stores, config: app.config, now }),
      readLagSeries(app.stores.audit, app.config.kinds, now),
    ]);
    return orgPage(view, { csrf: csrfToken(app.config, admin), lagSvg: lagChart(lag) });
  },
  user: async (input, admin, { app }) => {
    const query = new URL(input.url).searchParams.get('q') ?? '';
    if (!query.trim()) return searchPage(200, '');
    const pair = await findPair(app.stores.users, query);
    if (!pair) return searchPage(404, `No paired user has the address or pair id ${JSON.stringify(query)}.`);
    const view = await readUserView({ stores: app.stores, config: app.config, pair, now: app.clock.now() });
    return userPage(view, csrfToken(app.config, admin));
  },
  audit: async (input, _admin, { app }) =>
    auditResponse(app.stores, new URL(input.url).searchParams, app.clock.now()),
  preflight: async (input, admin, { app }) => {
    if (!validPost(input, input.form?.get('csrf') ?? undefined, app.config, admin)) return forgedPost();
    // Loaded on first use: the checks bring the Graph client, which the other pages never need.
    const preflight = loadPreflight();
    // A page must answer within the host's HTTP timeout: the mailbox check stops early and says how far it got.
    const results = await preflight.runPreflight(
      preflight.preflightDepsFor(app, { mailboxCheckMs: preflight.MAILBOX_CHECK_MS.page }),
    );
    app.log.info('status page preflight', { failed: results.filter((r) => r.ok === false).length });
    return preflightPage(results, app.clock.now());
  },
  action: async (input, admin, { app }) => {
    if (!validPost(input, input.form?.get('csrf') ?? undefined, app.config, admin)) return forgedPost();
    const result = await runStatusAction(
      { stores: app.stores, kinds: app.config.kinds, now: app.clock.now() },
      admin,
      input.form!,
    );
    app.log.info('status page action', { status: result.status, pairId: result.pair?.pairId });
    return actionPage(result);
  },
};

export async function serveStatus(
  route: StatusRoute,
  input: StatusInput,
  deps: StatusDeps,
): Promise<StatusResponse> {
  const access = checkAccess(input, deps.app.config);
  if (access.kind === 'refused') return refusalPage(access);
  if (access.kind === 'session') {
    return {
      status: 303,
      headers: { location: access.location, 'set-cookie': access.cookie, 'cache-control': 'no-store' },
      body: '',
    };
  }
  const handler = handlers[route];
  if (!handler) return htmlPage(404, 'Not found', p('This part of the status page does not exist.'));
  try {
    return await handler(input, access.admin, deps);
  } catch (err) {
    // The page says something went wrong and where to look; the detail goes to the log, which masks secrets.
    deps.app.log.error('status page failed', { route, error: err });
    return failurePage();
  }
}

function failurePage(): HtmlPage {
  return htmlPage(
    500,
    'The status page could not be read',
    p("Reading the app's state failed; the function log has the cause. Reload in a minute."),
  );
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- deferring the load is the point
const loadPreflight = () => require('../preflight') as typeof PreflightModule;
