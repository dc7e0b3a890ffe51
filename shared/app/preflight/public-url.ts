import type { Config } from '../../platform/config';
import type { PreflightResult } from './types';

const ID = 'public-url';
const TITLE = 'Public URL is https';

/**
 * Graph delivers change notifications only to https endpoints, and validates the URL when a subscription is
 * created; the sandbox's fake delivers to plain http on this machine.
 */
export function checkPublicUrl(deps: Pick<Config, 'mode' | 'publicBaseUrl'>): PreflightResult {
  let url: URL;
  try {
    url = new URL(deps.publicBaseUrl);
  } catch {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail: `PUBLIC_BASE_URL is not a URL: ${JSON.stringify(deps.publicBaseUrl)}`,
      fix: "set PUBLIC_BASE_URL to the function app's https address, e.g. https://<app>.azurewebsites.net",
    };
  }
  if (deps.mode !== 'live') {
    return {
      id: ID,
      ok: true,
      skipped: true,
      title: TITLE,
      detail: `sandbox mode: ${url.origin} is used as is`,
      fix: '',
    };
  }
  if (url.protocol !== 'https:') {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail: `${url.origin} is not https; Graph refuses to deliver change notifications to it`,
      fix: "set PUBLIC_BASE_URL to the function app's https address, e.g. https://<app>.azurewebsites.net",
    };
  }
  return { id: ID, ok: true, title: TITLE, detail: url.origin, fix: '' };
}
