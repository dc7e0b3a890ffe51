import { instanceNotExist } from './calendar-store';
import { parseWrite } from './event-input';
import { type EventOperation, eventView } from './event-views';
import type { FakeState } from './fake-state';
import type { FakeRequest, Route } from './routing';
import { errors } from './wire-errors';

/**
 * calendar_1_0 CreateEvent, GetEvent, ListEvents, PatchEvent and DeleteEvent on a user's primary calendar
 * (DingTalk's documentation). The path's userId is the unionId of the calendar owner.
 */

const EVENTS = '/v1.0/calendar/users/{userId}/calendars/{calendarId}/events';
const EVENT = `${EVENTS}/{eventId}`;

export function calendarRoutes(state: FakeState): Route[] {
  const { calendar, org } = state;
  const isMember = (unionId: string) => org.byUnionId(unionId) !== undefined;

  const ownerOf = (req: FakeRequest): string => {
    if (req.params.calendarId !== 'primary') throw errors.invalidParameter('calendarId must be primary');
    if (!isMember(req.params.userId!))
      throw errors.invalidParameter(`user ${req.params.userId} is not in the org`);
    return req.params.userId!;
  };
  const view =
    (req: FakeRequest, op: EventOperation, extra: { status?: string; maxAttendees?: number } = {}) =>
    (e: Parameters<typeof eventView>[0]) =>
      eventView(e, op, { viewer: req.params.userId!, org, corpId: state.identity.corpId, ...extra });

  return [
    {
      family: 'v1',
      operation: 'CreateEvent',
      method: 'POST',
      template: EVENTS,
      auth: true,
      handle(req) {
        const owner = ownerOf(req);
        const write = parseWrite(req.json, 'create', isMember);
        const clientToken = header(req, 'x-client-token');
        const { event, change } = calendar.create(owner, write, clientToken);
        if (change) state.publishCalendarChange(change);
        return { status: 200, body: view(req, 'CreateEvent')(event) };
      },
    },
    {
      family: 'v1',
      operation: 'GetEvent',
      method: 'GET',
      template: EVENT,
      auth: true,
      handle(req) {
        const owner = ownerOf(req);
        const maxAttendees = intParam(req, 'maxAttendees', 100, 500);
        return {
          status: 200,
          body: view(req, 'GetEvent', { maxAttendees })(calendar.get(owner, req.params.eventId!)),
        };
      },
    },
    {
      family: 'v1',
      operation: 'ListEvents',
      method: 'GET',
      template: EVENTS,
      auth: true,
      handle(req) {
        const owner = ownerOf(req);
        const maxAttendees = intParam(req, 'maxAttendees', 100, 100);
        const page = calendar.list(owner, {
          maxResults: intParam(req, 'maxResults', 100, 100),
          showDeleted: req.query.get('showDeleted') === 'true',
          syncToken: req.query.get('syncToken') || undefined,
          nextToken: req.query.get('nextToken') || undefined,
          timeMin: timeParam(req, 'timeMin'),
          timeMax: timeParam(req, 'timeMax'),
          seriesMasterId: req.query.get('seriesMasterId') || undefined,
        });
        const body: Record<string, unknown> = {
          events: page.items.map(({ event, status }) =>
            view(req, 'ListEvents', { status, maxAttendees })(event),
          ),
        };
        if (page.nextToken) body.nextToken = page.nextToken;
        if (page.syncToken) body.syncToken = page.syncToken;
        return { status: 200, body };
      },
    },
    {
      family: 'v1',
      operation: 'PatchEvent',
      method: 'PUT',
      template: EVENT,
      auth: true,
      handle(req) {
        const owner = ownerOf(req);
        const write = parseWrite(req.json, 'patch', isMember);
        const bodyId = (req.json as Record<string, unknown>).id;
        const { event, change } = calendar.patch(owner, req.params.eventId!, bodyId, write);
        state.publishCalendarChange(change);
        return { status: 200, body: view(req, 'PatchEvent')(event) };
      },
    },
    {
      family: 'v1',
      operation: 'DeleteEvent',
      method: 'DELETE',
      template: EVENT,
      auth: true,
      handle(req) {
        const owner = ownerOf(req);
        if (!calendar.find(req.params.eventId!)) throw instanceNotExist(req.params.eventId!);
        state.publishCalendarChange(calendar.delete(owner, req.params.eventId!));
        return { status: 204 };
      },
    },
  ];
}

function header(req: FakeRequest, name: string): string | undefined {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

function intParam(req: FakeRequest, name: string, fallback: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw errors.invalidParameter(`${name} must be 1..${max}`);
  return n;
}

/** "Use the UTC time format: yyyy-MM-ddTHH:mmZ"; any ISO-8601 instant is accepted. */
function timeParam(req: FakeRequest, name: string): number | undefined {
  const raw = req.query.get(name);
  if (!raw) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw errors.invalidParameter(`${name} must be yyyy-MM-ddTHH:mmZ`);
  return ms;
}
