import { graphZoneToIana } from '../time/windows-zones';
import { localToInstant } from '../time/zoned';
import type { DeltaRow, DeltaWindow } from './calendar-delta';
import type { Instance, StoredEvent } from './calendar-store';
import { answered, fail, hasRole, resolveUser, type FakeGraphServices, type GraphRequest } from './context';
import { renderInstance, renderStored, type RenderOptions } from './event-render';
import { parseEventWrite } from './event-validation';
import { ifMatchHeader, ifMatchHolds, STALE_CHANGE_KEY } from './if-match';
import { sendEmpty, sendJson } from './http-util';
import { parseEventFilter, parseExtendedExpand } from './odata';
import { toRestId } from './ids';

/**
 * The primary calendar of a mailbox: /users/{id}/events (+ /calendar/events), /events/{id}/instances,
 * /calendarView and /calendarView/delta.
 */

const READ_ROLES = ['Calendars.Read', 'Calendars.ReadWrite', 'Calendars.ReadBasic.All'];
const WRITE_ROLES = ['Calendars.ReadWrite'];
const DEFAULT_EVENTS_PAGE = 10;
const DEFAULT_DELTA_PAGE = 50;

export function handleCalendar(s: FakeGraphServices, r: GraphRequest): boolean {
  const [users, userKey, ...rest] = r.segments;
  if (users !== 'users' || !userKey || rest.length === 0) return false;
  const tail = rest[0] === 'calendar' && rest[1] === 'events' ? rest.slice(1) : rest;
  const isEvents = tail[0] === 'events';
  const isView = tail[0] === 'calendarView';
  if (!isEvents && !isView) return false;

  if (!hasRole(r, r.method === 'GET' ? READ_ROLES : WRITE_ROLES)) {
    fail(s, r, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return true;
  }
  const user = resolveUser(s, r, userKey, true);
  if (!user) return true;
  const render = renderOptions(s, r);
  if (!render) return true;
  const base = `${s.origin()}/v1.0/$metadata#users('${user.id}')`;

  if (isView && tail.length === 2 && tail[1] === 'delta' && r.method === 'GET')
    return answered(delta(s, r, user.id, render));
  if (isView && tail.length === 1 && r.method === 'GET') {
    const window = parseWindow(s, r);
    if (!window) return true;
    const value = s.calendar
      .instancesIn(user.id, window.start, window.end)
      .map((i) => renderInstance(i, render));
    sendJson(r.res, 200, { '@odata.context': `${base}/calendarView`, value });
    return true;
  }
  if (!isEvents) return false;

  if (tail.length === 1 && r.method === 'POST') {
    const parsed = parseEventWrite(r.body, 'create');
    if (!parsed.ok) return answered(fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message));
    const { event } = s.calendar.create(user, parsed.value);
    sendJson(r.res, 201, { '@odata.context': `${base}/events/$entity`, ...renderStored(event, render) });
    return true;
  }
  if (tail.length === 1 && r.method === 'GET') return answered(listEvents(s, r, user.id, render, base));

  const id = tail[1];
  if (tail.length === 3 && tail[2] === 'instances' && r.method === 'GET') {
    const found = s.calendar.find(user.id, id);
    if (!found) return answered(itemNotFound(s, r));
    const window = parseWindow(s, r);
    if (!window) return true;
    const value =
      found.event.type === 'seriesMaster' && !found.occurrence
        ? s.calendar
            .seriesInstances(found.event, window.start, window.end)
            .map((i) => renderInstance(i, render))
        : [];
    sendJson(r.res, 200, { '@odata.context': `${base}/events('${id}')/instances`, value });
    return true;
  }
  if (tail.length !== 2) return false;

  if (r.method === 'GET') {
    const found = s.calendar.find(user.id, id);
    if (!found) return answered(itemNotFound(s, r));
    const body = found.occurrence
      ? renderInstance(found.occurrence, render)
      : renderStored(found.event, render);
    sendJson(r.res, 200, { '@odata.context': `${base}/events/$entity`, ...body });
    return true;
  }
  if (r.method === 'PATCH') {
    const parsed = parseEventWrite(r.body, 'update');
    if (!parsed.ok) return answered(fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message));
    if (!preconditionHolds(s, r, user.id, id)) return true;
    const updated = s.calendar.update(user.id, id, parsed.value);
    if (!updated) return answered(itemNotFound(s, r));
    sendJson(r.res, 200, { '@odata.context': `${base}/events/$entity`, ...renderStored(updated, render) });
    return true;
  }
  if (r.method === 'DELETE') {
    if (!preconditionHolds(s, r, user.id, id)) return true;
    if (!s.calendar.delete(user.id, id)) return answered(itemNotFound(s, r));
    sendEmpty(r.res, 204);
    return true;
  }
  return false;
}

function renderOptions(s: FakeGraphServices, r: GraphRequest): RenderOptions | undefined {
  const timeZone = r.prefer.get('outlook.timezone') ?? 'UTC';
  if (!graphZoneToIana(timeZone)) {
    fail(
      s,
      r,
      400,
      'TimeZoneNotSupportedException',
      `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${timeZone}'.`,
    );
    return undefined;
  }
  const expand = parseExtendedExpand(r.url.searchParams.get('$expand'));
  if (expand.error) {
    fail(s, r, 400, 'BadRequest', expand.error);
    return undefined;
  }
  const bodyType = r.prefer.get('outlook.body-content-type');
  return {
    immutableIds: r.immutableIds,
    timeZone,
    bodyType: bodyType === 'text' ? 'text' : 'html',
    extendedProperties: expand.ids,
  };
}

function listEvents(
  s: FakeGraphServices,
  r: GraphRequest,
  userId: string,
  render: RenderOptions,
  base: string,
): void {
  const filter = parseEventFilter(r.url.searchParams.get('$filter'));
  if (filter.error) return fail(s, r, 400, 'BadRequest', filter.error);
  const top = Number(r.url.searchParams.get('$top') ?? DEFAULT_EVENTS_PAGE);
  const skip = Number(r.url.searchParams.get('$skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || top > 1000 || !Number.isInteger(skip) || skip < 0) {
    return fail(s, r, 400, 'BadRequest', 'Invalid $top or $skip value.');
  }
  const all = s.calendar
    .list(userId)
    .filter((e: StoredEvent) => !filter.test || filter.test(e))
    .sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime) || a.id.localeCompare(b.id));
  const body: Record<string, unknown> = {
    '@odata.context': `${base}/events`,
    value: all.slice(skip, skip + top).map((e) => renderStored(e, render)),
  };
  if (skip + top < all.length) {
    const query = (r.req.url ?? '').split('?')[1] ?? '';
    const kept = query.split('&').filter((p) => p && !/^(\$|%24)skip=/i.test(p));
    body['@odata.nextLink'] = `${s.origin()}${r.url.pathname}?${[...kept, `$skip=${skip + top}`].join('&')}`;
  }
  sendJson(r.res, 200, body);
}

function delta(s: FakeGraphServices, r: GraphRequest, userId: string, render: RenderOptions): void {
  for (const unsupported of ['$select', '$expand', '$filter', '$orderby', '$search']) {
    if (r.url.searchParams.has(unsupported)) {
      return fail(
        s,
        r,
        400,
        'ErrorInvalidUrlQuery',
        `The query parameter '${unsupported}' is not supported with delta on calendarView.`,
      );
    }
  }
  const skipToken = r.url.searchParams.get('$skiptoken');
  const deltaToken = r.url.searchParams.get('$deltatoken');
  let roundId: string;
  let offset = 0;
  if (skipToken) {
    const [id, at] = skipToken.split('~');
    const round = s.delta.round(id, userId);
    if (!round.ok) return syncStateNotFound(s, r, userId, round);
    roundId = id;
    offset = Number(at) || 0;
  } else if (deltaToken) {
    const token = s.delta.token(deltaToken, userId);
    if (!token.ok) return syncStateNotFound(s, r, userId, token);
    roundId = s.delta.startRound(userId, token.value.window, token.value.seq);
  } else {
    const window = parseWindow(s, r);
    if (!window) return;
    roundId = s.delta.startRound(userId, window, undefined);
  }
  const round = s.delta.round(roundId, userId);
  if (!round.ok) return syncStateNotFound(s, r, userId, round);
  const maxPageSize = Number(r.prefer.get('odata.maxpagesize'));
  const pageSize = Number.isInteger(maxPageSize) && maxPageSize > 0 ? maxPageSize : DEFAULT_DELTA_PAGE;
  const rows = round.value.rows.slice(offset, offset + pageSize);
  const link = `${s.origin()}/v1.0/users/${encodeURIComponent(userId)}/calendarView/delta`;
  const body: Record<string, unknown> = {
    '@odata.context': `${s.origin()}/v1.0/$metadata#Collection(event)`,
  };
  if (offset + pageSize < round.value.rows.length)
    body['@odata.nextLink'] = `${link}?$skiptoken=${roundId}~${offset + pageSize}`;
  else body['@odata.deltaLink'] = `${link}?$deltatoken=${s.delta.issueToken(round.value)}`;
  body.value = rows.map((row) => renderRow(row, render));
  sendJson(r.res, 200, body);
}

function renderRow(row: DeltaRow, render: RenderOptions): Record<string, unknown> {
  if ('removedId' in row) {
    return {
      '@odata.type': '#microsoft.graph.event',
      id: render.immutableIds ? row.removedId : toRestId(row.removedId),
      '@removed': { reason: 'deleted' },
    };
  }
  return { '@odata.type': '#microsoft.graph.event', ...renderInstance(row.instance as Instance, render) };
}

function syncStateNotFound(
  s: FakeGraphServices,
  r: GraphRequest,
  userId: string,
  lookup: { generation: number; highest: number; window?: DeltaWindow },
): void {
  const window = lookup.window
    ? `startDateTime=${encodeURIComponent(lookup.window.startRaw)}&endDateTime=${encodeURIComponent(lookup.window.endRaw)}&`
    : '';
  fail(
    s,
    r,
    410,
    'SyncStateNotFound',
    `The sync state generation is not found; generation=${lookup.generation};[highest=${lookup.highest}]`,
    {
      location: `${s.origin()}/v1.0/users/${encodeURIComponent(userId)}/calendarView/delta?${window}$deltatoken=`,
    },
  );
}

/** startDateTime/endDateTime; without an offset they are read in the Prefer outlook.timezone zone (UTC default). */
function parseWindow(s: FakeGraphServices, r: GraphRequest): DeltaWindow | undefined {
  const startRaw = r.url.searchParams.get('startDateTime') ?? r.url.searchParams.get('startdatetime');
  const endRaw = r.url.searchParams.get('endDateTime') ?? r.url.searchParams.get('enddatetime');
  if (!startRaw || !endRaw) {
    fail(
      s,
      r,
      400,
      'ErrorInvalidParameter',
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
    );
    return undefined;
  }
  const zone = graphZoneToIana(r.prefer.get('outlook.timezone') ?? 'UTC') ?? 'UTC';
  const start = parseInstant(startRaw, zone);
  const end = parseInstant(endRaw, zone);
  if (start === undefined || end === undefined || end <= start) {
    fail(s, r, 400, 'ErrorInvalidParameter', 'The value of StartDateTime or EndDateTime is not valid.');
    return undefined;
  }
  return { start, end, startRaw, endRaw };
}

function parseInstant(value: string, zone: string): number | undefined {
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  try {
    return localToInstant(value, zone);
  } catch {
    return undefined;
  }
}

/**
 * If-Match on PATCH/DELETE: a missing item is still 404; a stale tag is 412 ErrorIrresolvableConflict, the code and
 * message Outlook answers (reference graph.md §4.2). An occurrence carries its master's changeKey, as rendered.
 */
function preconditionHolds(s: FakeGraphServices, r: GraphRequest, userId: string, id: string): boolean {
  const header = ifMatchHeader(r.req);
  if (header === undefined) return true;
  const found = s.calendar.find(userId, id);
  if (!found || ifMatchHolds(header, found.event.changeKey)) return true;
  fail(s, r, STALE_CHANGE_KEY.status, STALE_CHANGE_KEY.code, STALE_CHANGE_KEY.message);
  return false;
}

function itemNotFound(s: FakeGraphServices, r: GraphRequest): void {
  fail(s, r, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}
