import { redactText } from '../../platform/logger';
import type { PreflightResult } from '../preflight/types';
import type { ConsentPreflight } from './consent-preflight';
import type { ConsentOutcome } from './consent-result';

/**
 * The HTML the admin sees: self-contained (no scripts, no external resources), every text escaped. The headers
 * keep the pages out of caches and frames, and send no Referer: the consent page's own address carries the function
 * key (?code=) and the callback's carries the state.
 */

export interface HtmlResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5}' +
  'code{background:#f3f3f3;padding:0 .2em}a.button{display:inline-block;padding:.6em 1.2em;background:#0f6cbd;' +
  'color:#fff;text-decoration:none;border-radius:4px}table{border-collapse:collapse}' +
  'td,th{border-top:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}';

/** `body` must already be escaped HTML. */
function page(status: number, title: string, body: string): HtmlResponse {
  const html =
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`;
  return { status, headers: { ...PAGE_HEADERS }, body: html };
}

const p = (text: string) => `<p>${escapeHtml(text)}</p>`;
const code = (text: string) => `<code>${escapeHtml(text)}</code>`;

export function consentStartPage(view: {
  link: string;
  tenantId: string;
  clientId: string;
  redirectUri: string;
  kinds: string[];
  permissions: string[];
  expiresAt: number;
}): HtmlResponse {
  const items = view.permissions.map((perm) => `<li>${code(perm)} (application)</li>`).join('');
  return page(
    200,
    'Grant admin consent',
    [
      p(
        'A Global Administrator or Privileged Role Administrator of the tenant grants the app its Microsoft Graph ' +
          'permissions once, for the whole organisation.',
      ),
      `<p>Tenant ${code(view.tenantId)}, application (client) id ${code(view.clientId)}.</p>`,
      `<p>The consent screen lists the application permissions configured on the app registration (API ` +
        `permissions). For what this app syncs (${escapeHtml(view.kinds.join(', '))}) they must include:</p>`,
      `<ul>${items}</ul>`,
      `<p>The app registration must list ${code(view.redirectUri)} as a redirect URI (platform Web), or ` +
        `Microsoft refuses the request.</p>`,
      `<p><a class="button" rel="noreferrer" href="${escapeHtml(view.link)}">Sign in and grant consent</a></p>`,
      p(
        `The link is valid until ${new Date(view.expiresAt).toISOString()}; reload this page for a new one. ` +
          'Permissions added later need consent again.',
      ),
    ].join('\n'),
  );
}

const AGAIN = 'Open the consent page again (with the function key) for a new link.';

const MARKS: Record<string, string> = {
  pass: '✓ passed',
  warn: '! attention',
  fail: '✗ failed',
  skip: '– skipped',
};

const markOf = (r: PreflightResult) =>
  MARKS[r.skipped ? 'skip' : r.ok === true ? 'pass' : r.ok === 'warn' ? 'warn' : 'fail'];

/** The preflight's answers as a table; every text escaped, and masked as the log masks secrets. */
export function preflightSection(preflight: ConsentPreflight | undefined): string {
  if (!preflight) return '';
  const text = (s: string) => escapeHtml(redactText(s));
  if ('error' in preflight) {
    return (
      `<h2>Preflight</h2>${p(`The preflight could not run: ${redactText(preflight.error)}`)}` +
      p('Run npm run preflight against this deployment, or the preflight of the status page.')
    );
  }
  const failed = preflight.results.filter((r) => r.ok === false).length;
  const rows = preflight.results
    .map(
      (r) =>
        `<tr><td>${text(markOf(r))}</td><td>${text(r.title)}</td><td>${text(r.detail)}` +
        `${r.fix ? `<br><strong>Fix:</strong> ${text(r.fix)}` : ''}</td></tr>`,
    )
    .join('');
  return [
    '<h2>Preflight</h2>',
    p(
      failed
        ? `${failed} check${failed === 1 ? '' : 's'} failed; each says how to fix it. Run the preflight again ` +
            'afterwards (npm run preflight, or the status page).'
        : 'No check failed.',
    ),
    p(
      'Permissions consented a moment ago can take a few minutes to reach the app’s tokens: if Microsoft Graph ' +
        'permissions show as missing, wait and run the preflight again.',
    ),
    `<table><thead><tr><th>Result</th><th>Check</th><th>What was found</th></tr></thead><tbody>${rows}</tbody></table>`,
  ].join('\n');
}

export function consentResultPage(outcome: ConsentOutcome, preflight?: ConsentPreflight): HtmlResponse {
  switch (outcome.kind) {
    case 'bad-state':
      // Plain on purpose: without a state this app made, nothing from the request is shown.
      return page(
        400,
        'Consent link not valid',
        p(
          outcome.reason === 'expired'
            ? `This consent link has expired (links are valid for one hour). ${AGAIN}`
            : `This request did not come from a consent link of this app. ${AGAIN}`,
        ),
      );
    case 'refused':
      return page(
        200,
        'Consent not granted',
        [
          `<p>Microsoft answered ${code(outcome.error)}:</p>`,
          outcome.description ? `<pre>${escapeHtml(outcome.description)}</pre>` : '',
          p(
            outcome.error === 'access_denied' || outcome.error === 'consent_required'
              ? 'The consent was cancelled or declined. The app cannot read or write mailboxes until an administrator ' +
                  `grants it. ${AGAIN}`
              : 'Look the AADSTS code up at https://login.microsoftonline.com/error; a redirect URI mismatch means ' +
                  `the app registration lacks the callback address shown on the consent page. ${AGAIN}`,
          ),
        ].join('\n'),
      );
    case 'wrong-tenant':
      return page(
        400,
        'Consent given in another tenant',
        [
          `<p>Microsoft reported consent for tenant ${code(outcome.got ?? '(none)')}, but the app is set up for ` +
            `${code(outcome.expected)} (GRAPH_TENANT_ID).</p>`,
          p(
            'Sign in with an administrator account of the configured tenant, or correct GRAPH_TENANT_ID, then ' +
              AGAIN.charAt(0).toLowerCase() +
              AGAIN.slice(1),
          ),
        ].join('\n'),
      );
    case 'not-granted':
      return page(
        400,
        'Consent not confirmed',
        p(`Microsoft's answer did not confirm the consent (admin_consent was not True). ${AGAIN}`),
      );
    case 'granted':
      return page(
        200,
        'Consent granted',
        [
          `<p>Consent granted in tenant ${code(outcome.tenant)}. The app can now sign in to Microsoft Graph with ` +
            `the permissions configured on its app registration; it may take a few minutes to apply.</p>`,
          outcome.configuredIsName
            ? `<p>GRAPH_TENANT_ID names the tenant by a name; setting it to ${code(outcome.tenant)} lets this ` +
              `page check the tenant Microsoft reports.</p>`
            : '',
          preflightSection(preflight),
        ].join('\n'),
      );
  }
}
