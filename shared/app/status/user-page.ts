import { STATUS_WORDS } from './folder-status';
import { ago, count, duration, escapeHtml, hidden, htmlPage, p, table, type HtmlPage } from './html';
import { plainWords } from './plain-errors';
import type { KindView, SideView, UserView } from './user-view';

/** One user's page: each kind and side, first-sync figures, the actions, the recent audit rows. */
export function userPage(view: UserView, csrf: string): HtmlPage {
  const { pair } = view;
  const head =
    `<p>Pair id <code>${escapeHtml(pair.pairId)}</code> · DingTalk user <code>${escapeHtml(pair.dingtalkUserId)}` +
    `</code> · ${escapeHtml(pair.status)} · paired by ${escapeHtml(pair.pairedBy)}</p>` +
    (pair.status === 'active' ? '' : p('This pair is not active: nothing of it is synced.'));
  const kinds = view.kinds.map((k) => kindSection(k, pair.pairId, csrf, view.now)).join('\n');
  const recent = view.recent.length
    ? table(
        ['at', 'kind', 'side written', 'action', 'reason'],
        view.recent.slice(0, 20).map((r) => [r.at, r.kind, r.side ?? '', r.action, r.reason]),
        'id="recent-table"',
      ) +
      `<p><a href="/api/status/audit?user=${encodeURIComponent(pair.pairId)}">All of this user's audit rows…</a></p>`
    : p('No audit rows today or yesterday.');
  return htmlPage(
    200,
    `Sync status of ${pair.email}`,
    `${head}\n${kinds || p('No kind is synced for this user.')}\n<section><h2>Recent activity</h2>${recent}</section>`,
  );
}

function kindSection(k: KindView, pairId: string, csrf: string, now: number): string {
  const rows = k.sides.map((s) => [
    s.side,
    {
      html:
        escapeHtml(STATUS_WORDS[s.status]) +
        (s.why ? `<br><span class="muted">${escapeHtml(s.why)}</span>` : ''),
      className: statusClass(s),
    },
    s.lastSyncedAt ? `${ago(Date.parse(s.lastSyncedAt), now)} (${s.lastSyncedAt})` : 'never',
    s.recentLagMs !== undefined
      ? `${duration(s.recentLagMs)} (median of ${s.recentLagRows})`
      : 'not recorded',
    pendingOf(s),
    { html: errorOf(s) },
    { html: actionsOf(k, s, pairId, csrf) },
  ]);
  const progress = firstSyncProgress(k);
  const breaker = k.breakerRows.length
    ? `<h3>What the bulk-delete breaker stopped</h3>` +
      table(
        ['at', 'side it would delete on', 'what'],
        k.breakerRows.map((r) => [r.at, r.side ?? '', r.reason]),
        `id="breaker-${escapeHtml(k.kind)}"`,
      ) +
      p(
        'Release it only if these deletions are wanted (ask the user): the next pull then deletes the copies. ' +
          'Otherwise see docs/runbook.md, "The bulk-delete breaker tripped".',
      )
    : '';
  return (
    `<section id="kind-${escapeHtml(k.kind)}"><h2>${escapeHtml(k.kind)}${k.paused ? ' (paused)' : ''}</h2>` +
    table(
      ['side', 'state', 'last sync', 'lag', 'pending', 'last error', 'actions'],
      rows,
      `id="sides-${escapeHtml(k.kind)}"`,
    ) +
    `${progress}${breaker}</section>`
  );
}

const SIDE_NAMES = { dingtalk: 'DingTalk', outlook: 'Outlook' } as const;

/**
 * The first-sync bar: per side "kind done / total matched" once the side's listing has ended (the total is exact
 * then), "N matched so far" before; one line for the kind once both sides are done. Each bar is a <progress> with
 * its figures as its text, so it reads the same without the picture.
 */
function firstSyncProgress(k: KindView): string {
  const id = `progress-${escapeHtml(k.kind)}`;
  if (k.firstSyncDone && k.sides.every((s) => s.firstSync.total === undefined)) {
    return (
      `<p id="${id}">${escapeHtml(`${k.kind} ${count(k.linked)} / ${count(k.linked)} matched`)} ` +
      `${bar(k.linked, k.linked, `${k.kind}: first sync`)} first sync done.</p>`
    );
  }
  const lines = k.sides.map((s) => `<li>${sideProgress(k, s)}</li>`).join('');
  return `<ul id="${id}">${lines}</ul>`;
}

function sideProgress(k: KindView, s: SideView): string {
  const where = `${SIDE_NAMES[s.side]} side`;
  const f = s.firstSync;
  if (f.total !== undefined && f.done !== undefined) {
    const done = f.finished ? Math.max(f.done, f.total) : f.done;
    return (
      `${escapeHtml(`${k.kind} ${count(done)} / ${count(f.total)} matched (${where})`)} ` +
      `${bar(done, f.total, `${k.kind}, ${where}: first sync`)} ` +
      (f.finished ? 'first sync done.' : 'first sync under way.')
    );
  }
  if (f.finished) return escapeHtml(`${k.kind} (${where}): first sync done.`);
  if (f.dryRunOnly) {
    return escapeHtml(
      `${k.kind} (${where}): listed by the dry run only; nothing is copied while DRY_RUN is on.`,
    );
  }
  return (
    `${escapeHtml(`${k.kind} ${count(k.linked)} matched so far (${where})`)} ` +
    `<progress aria-label="${escapeHtml(`${k.kind}, ${where}: first sync`)}"></progress> ` +
    'its first listing has not ended, so the total is not known yet.'
  );
}

/** A determinate bar; an empty folder (total 0) is a full one. */
function bar(done: number, total: number, label: string): string {
  const max = Math.max(total, 1);
  const value = total === 0 ? 1 : Math.min(done, total);
  return (
    `<progress max="${max}" value="${value}" aria-label="${escapeHtml(label)}">` +
    `${escapeHtml(`${count(done)} / ${count(total)}`)}</progress>`
  );
}

function statusClass(s: SideView): string {
  if (s.status === 'admin' || s.status === 'failing') return 'bad';
  return s.status === 'in-sync' ? 'ok' : 'warn';
}

function pendingOf(s: SideView): string {
  const parts: string[] = [];
  if (s.pendingCreates) parts.push(`${count(s.pendingCreates)} create(s) to confirm`);
  if (s.failure && !s.failure.permanent) {
    parts.push(`next try (attempt ${s.failure.attempts + 1}) at ${s.failure.nextTryAt}`);
  }
  return parts.join('; ') || 'none';
}

function errorOf(s: SideView): string {
  if (!s.lastError) return 'none';
  return `${escapeHtml(plainWords(s.lastError))}<br><span class="muted">${escapeHtml(s.lastError)}</span>`;
}

function actionsOf(k: KindView, s: SideView, pairId: string, csrf: string): string {
  const form = (action: string, label: string) =>
    `<form class="inline" method="post" action="/api/status/action">${hidden('csrf', csrf)}` +
    `${hidden('pairId', pairId)}${hidden('kind', k.kind)}${hidden('side', s.side)}${hidden('action', action)}` +
    `<button type="submit" name="do" value="${escapeHtml(action)}">${escapeHtml(label)}</button></form>`;
  const stopped = s.failure?.permanent && /bulk-delete breaker/i.test(s.failure.lastError);
  return [
    form('retry', 'Retry now'),
    form('resync', 'Resync'),
    stopped ? form('release', 'Release breaker') : '',
  ]
    .filter(Boolean)
    .join(' ');
}
