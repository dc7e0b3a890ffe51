import { cursorKey } from '../../store/types';
import { FOLDER_STATUSES, STATUS_WORDS } from './folder-status';
import { ago, count, duration, escapeHtml, hidden, htmlPage, p, table, type HtmlPage } from './html';
import type { OrgView } from './org-view';
import { plainWords } from './plain-errors';

/** The organisation view: every figure comes from OrgView, every text is escaped here. */
export function orgPage(view: OrgView, extras: { csrf: string; lagSvg?: string }): HtmlPage {
  const sections = [
    searchForm(),
    pairsSection(view),
    foldersSection(view),
    dingtalkSection(view),
    throttlingSection(view),
    failuresSection(view),
    extras.lagSvg ?? '',
    preflightForm(extras.csrf),
    `<p class="muted">Read at ${escapeHtml(new Date(view.now).toISOString())}. What each figure means and what ` +
      'reading it costs: docs/status-page.md.</p>',
  ];
  return htmlPage(200, 'Sync status', sections.join('\n'));
}

function searchForm(): string {
  return (
    '<form method="get" action="/api/status/user"><label>User (e-mail or pair id) ' +
    '<input name="q" size="40" required></label> <button type="submit">Show</button></form>'
  );
}

function pairsSection(view: OrgView): string {
  const { pairs, pairing } = view;
  const rows: Array<[string, number | string, string]> = [
    ['paired and syncing (active)', pairs.active, ''],
    [
      'disabled',
      pairs.disabled,
      "one side's account is disabled, or the two accounts no longer match by address",
    ],
    ['left', pairs.left, 'the DingTalk or the Entra account is gone'],
  ];
  if (pairing.dingtalkPeople !== undefined && pairing.planned !== undefined) {
    rows.push([
      'DingTalk people without a pair',
      Math.max(0, pairing.dingtalkPeople - pairing.planned),
      'no Entra account shares an address with them, or the address is shared by several accounts',
    ]);
  }
  if (pairing.entraPeople !== undefined && pairing.planned !== undefined) {
    rows.push([
      'Entra accounts without a pair',
      Math.max(0, pairing.entraPeople - pairing.planned),
      'no DingTalk person with the address (service accounts, rooms, people not on DingTalk)',
    ]);
  }
  for (const [kind, n] of Object.entries(pairing.problems)) {
    rows.push([
      `pairing problem: ${kind}`,
      n,
      kind === 'ambiguous-address'
        ? 'one address, several accounts'
        : 'PAIRING_OVERRIDES names an unknown user',
    ]);
  }
  const examples = pairing.problemExamples.length
    ? `<p>Examples: ${pairing.problemExamples.map((e) => `<code>${escapeHtml(e)}</code>`).join(', ')}</p>`
    : '';
  const lastRun = pairing.lastRunAt
    ? p(`The pairing job last ran ${ago(pairing.lastRunAt, view.now)}.`)
    : p(
        'The pairing job has not run yet: nobody is paired until it does (within a minute of the app starting).',
      );
  return (
    `<section id="pairs"><h2>Users</h2>${table(
      ['', 'count', 'why'],
      rows.map(([a, n, b]) => [a, n, b]),
      'id="pairs-table"',
    )}` + `${lastRun}${examples}</section>`
  );
}

function foldersSection(view: OrgView): string {
  const head = [
    'kind',
    'side',
    'folders',
    'failing',
    'waiting for an admin',
    ...FOLDER_STATUSES.filter((s) => s !== 'failing' && s !== 'admin').map((s) => STATUS_WORDS[s]),
  ];
  const rows = view.kinds.map((k) => [
    k.kind,
    k.side,
    k.folders,
    k.failing,
    k.admin,
    ...FOLDER_STATUSES.filter((s) => s !== 'failing' && s !== 'admin').map((s) => k.sampled[s]),
  ]);
  const sampled =
    view.sampledFolders < view.totalFolders
      ? p(
          `The last three columns count a sample: the state rows of ${count(view.sampledFolders)} of ` +
            `${count(view.totalFolders)} (pair, kind) pairs of folders, spread evenly over the users. Failing and ` +
            'waiting folders are counted in full from the failures table.',
        )
      : p(`The last three columns count every folder (${count(view.totalFolders)} pairs of folders read).`);
  const capped = view.failuresCapped
    ? p(`Only the first ${count(view.failuresRead)} failures were read; there are more.`)
    : '';
  return `<section id="folders"><h2>Folders per kind</h2>${table(head, rows, 'id="folders-table"')}${sampled}${capped}</section>`;
}

function dingtalkSection(view: OrgView): string {
  const d = view.dingtalk;
  const share = d.quota > 0 ? Math.min(100, Math.round((d.used / d.quota) * 100)) : 0;
  return (
    `<section id="dingtalk"><h2>DingTalk calls this month (${escapeHtml(d.month)}, China time)</h2>` +
    table(
      ['used', 'projected at month end', 'monthly quota', 'kept for live changes'],
      [[d.used, d.projectedAtMonthEnd, d.quota, d.reserve]],
      'id="dingtalk-table"',
    ) +
    `<p><progress max="100" value="${share}">${share} %</progress> ${share} % used; the month turns in ` +
    `${escapeHtml(duration(d.monthEndsAt - view.now))}. Background work (sweeps, polls, first syncs) stops at ` +
    `${escapeHtml(count(d.quota - d.reserve))} calls; the projection follows this month's pace so far.</p></section>`
  );
}

function throttlingSection(view: OrgView): string {
  const t = view.throttling;
  return (
    `<section id="throttling"><h2>Microsoft Graph throttling</h2>` +
    table(
      ['pulls that failed on 429 in the last 24 h', 'Outlook folders failing on 429 now'],
      [[t.graphFailures24h, t.graphFailingNow]],
      'id="throttling-table"',
    ) +
    p(
      `Counted from the audit's failure rows (${count(t.auditRowsRead)} read${t.capped ? ', capped' : ''}) and the ` +
        'failures table. A 429 the Graph client retried successfully is not counted: only pulls it made fail.',
    ) +
    '</section>'
  );
}

function failuresSection(view: OrgView): string {
  if (view.recentFailures.length === 0)
    return '<section id="failures"><h2>Failures</h2><p>None.</p></section>';
  const rows = view.recentFailures.map((f) => [
    {
      html: `<a href="/api/status/user?q=${encodeURIComponent(f.work.pairId)}">${escapeHtml(f.email ?? f.work.pairId)}</a>`,
    },
    cursorKey(f.work),
    {
      html: escapeHtml(f.permanent ? 'waiting for an admin' : 'retrying'),
      className: f.permanent ? 'bad' : 'warn',
    },
    f.attempts,
    plainWords(f.lastError),
  ]);
  const more =
    view.failuresRead > view.recentFailures.length
      ? `<p>${escapeHtml(count(view.failuresRead - view.recentFailures.length))} more… ` +
        '<a href="/api/status/audit?action=failure">search the audit for failures</a></p>'
      : '';
  return (
    `<section id="failures"><h2>Failures</h2>` +
    table(['user', 'folder', 'state', 'attempts', 'what it means'], rows, 'id="failures-table"') +
    `${more}</section>`
  );
}

function preflightForm(csrf: string): string {
  return (
    '<section id="preflight"><h2>Preflight</h2><p>Checks permissions, storage, Key Vault, mailboxes and the public ' +
    'URL, and says how to fix what fails (docs/preflight.md).</p>' +
    `<form method="post" action="/api/status/preflight">${hidden('csrf', csrf)}` +
    '<button type="submit">Run preflight</button></form></section>'
  );
}
