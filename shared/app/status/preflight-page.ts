import { redactText } from '../../platform/logger';
import type { PreflightResult } from '../preflight/types';
import { escapeHtml, htmlPage, p, table, type HtmlPage } from './html';

/**
 * The preflight's results on the status page: each check with what it found and how to fix it, as
 * `npm run preflight` prints them (docs/preflight.md). Every text passes the logger's redaction before it is
 * escaped, so a secret a check might quote never reaches the page.
 */
export function preflightPage(results: readonly PreflightResult[], ranAt: number): HtmlPage {
  const failed = results.filter((r) => r.ok === false).length;
  const rows = results.map((r) => {
    const [mark, className] = r.skipped
      ? ['skipped', 'muted']
      : r.ok === true
        ? ['passed', 'ok']
        : r.ok === 'warn'
          ? ['warning', 'warn']
          : ['failed', 'bad'];
    return [
      { html: escapeHtml(mark), className },
      redactText(r.title),
      redactText(r.detail),
      redactText(r.fix),
    ];
  });
  const summary = failed
    ? `${failed} check${failed === 1 ? '' : 's'} failed: fix them in the order shown.`
    : 'All checks passed (warnings and skipped checks do not fail the preflight).';
  return htmlPage(
    200,
    'Preflight',
    `<p id="preflight-summary">${escapeHtml(summary)}</p>` +
      table(['result', 'check', 'found', 'how to fix'], rows, 'id="preflight-table"') +
      p(`Run at ${new Date(ranAt).toISOString()}. Each check is described in docs/preflight.md.`) +
      '<p><a href="/api/status#preflight">Back to the organisation</a></p>',
  );
}
