import { escapeHtml, type HtmlResponse } from '../consent/consent-page';

/**
 * The status page's HTML: self-contained (no script, no external style, font or image; the CSP says so to the
 * browser), every text escaped where it is put into the page. Forms post to this app only.
 */

export { escapeHtml };

export type HtmlPage = HtmlResponse;

export const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; " +
    "frame-ancestors 'none'",
  // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with the page's own forms, and the
  // actions check the Origin (Fetch standard, "serializing a request origin").
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const STYLE =
  'body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:70rem;padding:0 1rem;line-height:1.45;color:#1b1b1b}' +
  'table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left;vertical-align:top}' +
  'th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#a4262c}.warn{color:#8a5300}' +
  '.ok{color:#107c10}.muted{color:#666}form.inline{display:inline}nav a{margin-right:1rem}' +
  'progress{width:14rem}section{margin-bottom:1.5rem}code{background:#f3f3f3;padding:0 .2em}' +
  'button{padding:.3em .8em}input,select{padding:.2em}';

/** `body` must already be escaped HTML. */
export function htmlPage(status: number, title: string, body: string, nav = true): HtmlPage {
  const links = nav
    ? '<nav><a href="/api/status">Organisation</a><a href="/api/status/user">A user</a>' +
      '<a href="/api/status/audit">Audit</a><a href="/api/status#preflight">Preflight</a></nav>'
    : '';
  const html =
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>` +
    `<body>${links}<h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`;
  return { status, headers: { ...STATUS_PAGE_HEADERS }, body: html };
}

/** 1240 → "1,240": the page's figures, the same whatever the server's locale. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export const p = (text: string): string => `<p>${escapeHtml(text)}</p>`;

/** A table of escaped cells; a cell given as `{ html }` is already HTML, a number is right-aligned. */
export type Cell = string | number | { html: string; className?: string };

export function table(head: string[], rows: Cell[][], attributes = ''): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map(cell).join('')}</tr>`).join('\n');
  return `<table${attributes ? ` ${attributes}` : ''}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function cell(value: Cell): string {
  if (typeof value === 'number') return `<td class="n">${escapeHtml(count(value))}</td>`;
  if (typeof value === 'string') return `<td>${escapeHtml(value)}</td>`;
  return `<td${value.className ? ` class="${escapeHtml(value.className)}"` : ''}>${value.html}</td>`;
}

/** How long ago, in words an admin reads at a glance. */
export function ago(ms: number | undefined, now: number): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'never';
  return `${duration(Math.max(0, now - ms))} ago`;
}

export function duration(ms: number): string {
  // Calendar and mail copies take well under a second: whole seconds would show them all as "0 s".
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

/** A hidden form field. */
export const hidden = (name: string, value: string): string =>
  `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
