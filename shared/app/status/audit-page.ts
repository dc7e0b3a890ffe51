import { auditEncoder } from '../audit-format';
import { utcDay, addDays } from '../../store/day';
import type { Stores } from '../../store';
import type { AuditFilter } from '../../store/audit-search';
import { AUDIT_ACTIONS, KINDS, type AuditAction, type AuditEntry, type Side } from '../../sync/types';
import { escapeHtml, htmlPage, p, table, type HtmlPage } from './html';
import { findPair } from './user-view';

/**
 * Audit search and export on the status page: by user, kind, side, action and a range of UTC days, shown as a table
 * (the newest SHOWN rows) or downloaded as CSV (RFC 4180, with the byte order mark Excel needs for Chinese text) or
 * JSON, in the same columns as `npm run admin -- audit`. One query per day partition with the filters inside it
 * (shared/store/audit-search.ts); a download stops at MAX_EXPORT_ROWS and says so in a header, the command line
 * export has no such limit.
 */
export const SHOWN = 200;
export const MAX_EXPORT_ROWS = 50_000;
export const DEFAULT_DAYS = 7;
export const MAX_DAYS = 366;

const SIDES: readonly Side[] = ['dingtalk', 'outlook'];
const ACTIONS: readonly AuditAction[] = AUDIT_ACTIONS;
const FORMATS = ['html', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

export interface AuditRequest {
  filter: Omit<AuditFilter, 'pairId'>;
  user: string;
  format: Format;
}

export type AuditResponse = HtmlPage;

class BadQuery extends Error {}

/** The query string, checked; a bad value is a 400 page that says what to write instead. */
export function parseAuditRequest(query: URLSearchParams, now: number): AuditRequest | string {
  try {
    const toDay = dayOf(query.get('to'), utcDay(now));
    const fromDay = dayOf(query.get('from'), addDays(toDay, -(DEFAULT_DAYS - 1)));
    if (fromDay > toDay) throw new BadQuery('from must not be after to');
    if (addDays(fromDay, MAX_DAYS - 1) < toDay) throw new BadQuery(`at most ${MAX_DAYS} days at once`);
    return {
      filter: {
        fromDay,
        toDay,
        kind: pick(query, 'kind', KINDS),
        side: pick(query, 'side', SIDES),
        action: pick(query, 'action', ACTIONS),
      },
      user: (query.get('user') ?? '').trim().slice(0, 200),
      format: pick(query, 'format', FORMATS) ?? 'html',
    };
  } catch (err) {
    if (err instanceof BadQuery) return err.message;
    throw err;
  }
}

function pick<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = query.get(name)?.trim();
  if (!value) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new BadQuery(
      `${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return value as T;
}

function dayOf(text: string | null, fallback: string): string {
  if (!text?.trim()) return fallback;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const date = m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  if (!m || !date || date.getUTCMonth() !== +m[2] - 1 || date.getUTCDate() !== +m[3]) {
    throw new BadQuery(`dates must be written YYYY-MM-DD, not ${JSON.stringify(text.slice(0, 40))}`);
  }
  return `${m[1]}${m[2]}${m[3]}`;
}

export async function auditResponse(
  stores: Pick<Stores, 'users' | 'audit'>,
  query: URLSearchParams,
  now: number,
): Promise<AuditResponse> {
  const request = parseAuditRequest(query, now);
  if (typeof request === 'string') return auditForm(400, query, p(`Not searched: ${request}.`));
  let pairId: string | undefined;
  if (request.user) {
    pairId = request.user.includes('@') ? (await findPair(stores.users, request.user))?.pairId : request.user;
    if (!pairId) {
      return auditForm(
        404,
        query,
        p(
          `No paired user has the address ${JSON.stringify(request.user)}; give a pair id for a user since unpaired.`,
        ),
      );
    }
  }
  const filter: AuditFilter = { ...request.filter, pairId };
  if (request.format === 'html') {
    const rows = await stores.audit.search(filter, SHOWN + 1);
    return auditForm(200, query, resultTable(rows, query));
  }
  return download(await stores.audit.search(filter, MAX_EXPORT_ROWS + 1), request);
}

function download(rows: AuditEntry[], request: AuditRequest): AuditResponse {
  const truncated = rows.length > MAX_EXPORT_ROWS;
  const encoder = auditEncoder(request.format === 'csv' ? 'csv' : 'json', { bom: true });
  const body =
    encoder.head +
    rows
      .slice(0, MAX_EXPORT_ROWS)
      .map((r, i) => encoder.row(r, i))
      .join('') +
    encoder.tail;
  const name = `audit-${request.filter.fromDay}-${request.filter.toDay}.${request.format}`;
  return {
    status: 200,
    headers: {
      'content-type':
        request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...(truncated
        ? { 'x-audit-truncated': `first ${MAX_EXPORT_ROWS} rows; use npm run admin -- audit for all` }
        : {}),
    },
    body,
  };
}

function resultTable(rows: AuditEntry[], query: URLSearchParams): string {
  if (rows.length === 0) return p('No audit row matches.');
  const shown = rows.slice(0, SHOWN);
  const link = (format: string) => {
    const q = new URLSearchParams(query);
    q.set('format', format);
    return `<a href="/api/status/audit?${escapeHtml(q.toString())}">${format.toUpperCase()}</a>`;
  };
  return (
    `<p>Download: ${link('csv')} · ${link('json')}</p>` +
    table(
      ['at', 'user (pair id)', 'kind', 'side', 'action', 'reason', 'lag'],
      shown.map((r) => [
        r.at,
        r.pairId,
        r.kind,
        r.side ?? '',
        r.action,
        r.reason,
        r.lagMs === undefined ? '' : `${Math.round(r.lagMs / 1000)} s`,
      ]),
      'id="audit-table"',
    ) +
    (rows.length > SHOWN
      ? p(`The newest ${SHOWN} rows are shown; more match: download them, or narrow the search.`)
      : '')
  );
}

function auditForm(status: number, query: URLSearchParams, result: string): HtmlPage {
  const value = (name: string) => escapeHtml(query.get(name) ?? '');
  const select = (name: string, options: readonly string[]) =>
    `<select name="${name}"><option value="">any</option>${options
      .map((o) => `<option${query.get(name) === o ? ' selected' : ''}>${escapeHtml(o)}</option>`)
      .join('')}</select>`;
  const form =
    '<form method="get" action="/api/status/audit">' +
    `<label>User (e-mail or pair id) <input name="user" value="${value('user')}" size="30"></label> ` +
    `<label>Kind ${select('kind', KINDS)}</label> <label>Side ${select('side', SIDES)}</label> ` +
    `<label>Action ${select('action', ACTIONS)}</label> ` +
    `<label>From <input name="from" type="date" value="${value('from')}"></label> ` +
    `<label>To <input name="to" type="date" value="${value('to')}"></label> ` +
    '<select name="format"><option value="html">show</option><option value="csv">CSV</option>' +
    '<option value="json">JSON</option></select> <button type="submit">Search</button></form>' +
    p(`UTC days; the last ${DEFAULT_DAYS} days when no date is given, at most ${MAX_DAYS}.`);
  return htmlPage(status, 'Audit', form + result);
}
