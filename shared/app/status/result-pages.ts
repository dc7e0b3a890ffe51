import type { ActionResult } from './actions';
import { escapeHtml, htmlPage, p, type HtmlPage } from './html';

/** The small pages around the user view: the search form, an action's outcome, a refused post. */

export function searchPage(status: number, note: string): HtmlPage {
  return htmlPage(
    status,
    'Find a user',
    (note ? p(note) : '') +
      '<form method="get" action="/api/status/user"><label>E-mail or pair id ' +
      '<input name="q" size="40" required></label> <button type="submit">Show</button></form>' +
      p('An address is looked up among the pairs (one read of the users table); a pair id is read directly.'),
  );
}

export function actionPage(result: ActionResult): HtmlPage {
  const back = result.pair
    ? `<p><a id="back" href="/api/status/user?q=${encodeURIComponent(result.pair.pairId)}">Back to ` +
      `${escapeHtml(result.pair.email)}</a></p>`
    : '<p><a id="back" href="/api/status">Back to the organisation</a></p>';
  const title = result.status === 200 ? 'Done' : 'Not done';
  return htmlPage(result.status, title, `<p id="result">${escapeHtml(result.message)}</p>${back}`);
}

export function forgedPost(): HtmlPage {
  return htmlPage(
    403,
    'Not done',
    p(
      'This form did not come from the status page (its token or origin is wrong). Open the page again and use it there.',
    ),
  );
}
