import { verifyConsentState, type StateCheck } from './consent-state';

/**
 * What Microsoft's redirect to the callback says. On success it carries `admin_consent=True`, `tenant` (the
 * tenant's id) and `state`; on failure `error` and `error_description`, with `state`
 * (learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent). The state is checked first: without a
 * state this app made, nothing else in the request is trusted or shown.
 */
export type ConsentOutcome =
  | { kind: 'bad-state'; reason: Exclude<StateCheck, { ok: true }>['reason'] }
  | { kind: 'refused'; error: string; description?: string }
  | { kind: 'wrong-tenant'; expected: string; got?: string }
  | { kind: 'not-granted' }
  | { kind: 'granted'; tenant: string; configuredIsName: boolean };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Microsoft's texts are short; anything longer is cut before it reaches a page or a log line. */
const MAX_TEXT = 1000;

export const isGuid = (value: string): boolean => GUID.test(value);

export function consentOutcome(
  query: URLSearchParams,
  context: { key: Buffer; nowMs: number; tenantId: string },
): ConsentOutcome {
  const state = verifyConsentState(context.key, query.get('state'), context.nowMs);
  if (!state.ok) return { kind: 'bad-state', reason: state.reason };

  const error = query.get('error');
  if (error) {
    const description = query.get('error_description') ?? undefined;
    return { kind: 'refused', error: error.slice(0, 100), description: description?.slice(0, MAX_TEXT) };
  }

  const tenant = query.get('tenant') ?? undefined;
  const configured = context.tenantId;
  if (!tenant || !isGuid(tenant))
    return { kind: 'wrong-tenant', expected: configured, got: tenant?.slice(0, 100) };
  // Microsoft names the tenant by its id. A GRAPH_TENANT_ID that is a domain name cannot be compared with it; the
  // link was made for that name, so Microsoft resolved it, and the page suggests setting the id instead.
  const configuredIsName = !isGuid(configured);
  if (!configuredIsName && tenant.toLowerCase() !== configured.toLowerCase()) {
    return { kind: 'wrong-tenant', expected: configured, got: tenant };
  }

  if ((query.get('admin_consent') ?? '').toLowerCase() !== 'true') return { kind: 'not-granted' };
  return { kind: 'granted', tenant, configuredIsName };
}
