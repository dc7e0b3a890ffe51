import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAppContext } from '../shared/app/context';
import {
  adminConsentLink,
  consentRedirectUri,
  requiredPermissions,
} from '../shared/app/consent/consent-link';
import { consentResultPage, consentStartPage, type HtmlResponse } from '../shared/app/consent/consent-page';
import { consentOutcome } from '../shared/app/consent/consent-result';
import type * as ConsentPreflightModule from '../shared/app/consent/consent-preflight';
import { consentStateKey, createConsentState } from '../shared/app/consent/consent-state';
import { graphScopeFor } from '../shared/connectors/graph/graph-scope';
import type { Config } from '../shared/platform/config';

const stateKey = (config: Config) => consentStateKey(config.dingtalk.callbackAesKey, config.graph);
const send = (page: HtmlResponse): HttpResponseInit => ({
  status: page.status,
  headers: page.headers,
  body: page.body,
});

/** The admin-consent link for the configured tenant and app registration, with the permissions it must show. */
export async function consentPage(
  _request: HttpRequest,
  _context: InvocationContext,
): Promise<HttpResponseInit> {
  const { config, clock } = getAppContext();
  const { state, expiresAt } = createConsentState(stateKey(config), clock.now());
  const redirectUri = consentRedirectUri(config.publicBaseUrl);
  const link = adminConsentLink({
    authorityHost: config.graph.authorityHost,
    tenantId: config.graph.tenantId,
    clientId: config.graph.clientId,
    scope: graphScopeFor(config.graph.baseUrl),
    redirectUri,
    state,
  });
  return send(
    consentStartPage({
      link,
      tenantId: config.graph.tenantId,
      clientId: config.graph.clientId,
      redirectUri,
      kinds: config.kinds,
      permissions: requiredPermissions(config.kinds),
      expiresAt,
    }),
  );
}

/** Required on the first consent, not when the app loads: the preflight brings both connectors and the Graph SDK. */
const loadConsentPreflight = (): typeof ConsentPreflightModule =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../shared/app/consent/consent-preflight') as typeof ConsentPreflightModule;

/** Microsoft's redirect after the admin consented, declined or failed; after consent, the preflight's results. */
export async function consentCallback(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const ctx = getAppContext();
  const { config, clock, log } = ctx;
  const outcome = consentOutcome(request.query, {
    key: stateKey(config),
    nowMs: clock.now(),
    tenantId: config.graph.tenantId,
  });
  const fields = { invocationId: context.invocationId, ...outcome };
  if (outcome.kind !== 'granted') {
    log.warn(`admin consent callback: ${outcome.kind}`, fields);
    return send(consentResultPage(outcome));
  }
  log.info('admin consent granted', fields);
  const preflight = await loadConsentPreflight().preflightAfterConsent(ctx, context.invocationId);
  return send(consentResultPage(outcome, preflight));
}

// authLevel "function": only someone with a function, host or master key (?code=) gets a consent link, though the
// page holds nothing secret (https://learn.microsoft.com/azure/azure-functions/function-keys-how-to). Routes must
// not start with "admin": the host reserves that prefix for its own API and refuses such functions at start.
app.http('consent', { route: 'consent', methods: ['GET'], authLevel: 'function', handler: consentPage });
// Anonymous because Microsoft sends the admin's browser here without the key; the signed state protects it.
app.http('consent-callback', {
  route: 'consent/callback',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: consentCallback,
});
