import { Client, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { GraphApi } from '../../../shared/connectors/graph/http-client';
import { OutlookCalendarAdapter } from '../../../shared/connectors/graph/calendar-adapter';
import { VersionConflictRemoteError, type UserRef } from '../../../shared/sync/types';
import { calendarEvent } from '../../support/calendar-event';

/**
 * What goes on the wire for a conditional Outlook write: the stored version is the bare changeKey, and If-Match
 * carries it as the weak entity tag Graph hands out in @odata.etag (W/"<changeKey>"). A 412 is a version conflict
 * and is not retried: the item really changed, sending the same request again cannot help.
 */

const user: UserRef = {
  pairId: 'p1',
  dingtalkUserId: 'd1',
  dingtalkUnionId: 'u1',
  entraId: 'entra-1',
  email: 'li.wei@example.com',
};

interface Seen {
  method: string;
  ifMatch: string | null;
}

/** A Graph client whose last middleware answers every request itself, recording what it was sent. */
function answering(status: number, body: unknown): { api: GraphApi; seen: Seen[] } {
  const seen: Seen[] = [];
  const last: Middleware = {
    execute: async (context: Context) => {
      const headers = new Headers(context.options?.headers as Record<string, string>);
      seen.push({ method: context.options?.method ?? 'GET', ifMatch: headers.get('if-match') });
      context.response = new Response(status === 204 ? null : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    },
    setNext: () => undefined,
  };
  const client = Client.initWithMiddleware({ middleware: last, baseUrl: 'https://graph.example/' });
  const api = new GraphApi(client, {
    retryPolicy: { maxAttempts: 3, maxTotalWaitMs: 0, baseDelayMs: 0, maxDelayMs: 0 },
  });
  return { api, seen };
}

const stored = {
  id: 'AAMk-1',
  changeKey: 'CQAAABYAAAB2',
  '@odata.etag': 'W/"CQAAABYAAAB2"',
  subject: 'Renamed',
  start: { dateTime: '2026-11-25T01:00:00.0000000', timeZone: 'UTC' },
  end: { dateTime: '2026-11-25T02:00:00.0000000', timeZone: 'UTC' },
  type: 'singleInstance',
};

const adapterOn = (api: GraphApi) => new OutlookCalendarAdapter({ api, pastDays: 30, futureDays: 90 });
const projection = calendarEvent({ subject: 'Renamed' });

test('update and delete with an expected version send If-Match: W/"<changeKey>"', async () => {
  const patch = answering(200, stored);
  await adapterOn(patch.api).update(user, 'AAMk-1', projection, 'CQAAABYAAAB1');
  expect(patch.seen).toEqual([{ method: 'PATCH', ifMatch: 'W/"CQAAABYAAAB1"' }]);

  const del = answering(204, undefined);
  await adapterOn(del.api).delete(user, 'AAMk-1', 'CQAAABYAAAB1');
  expect(del.seen).toEqual([{ method: 'DELETE', ifMatch: 'W/"CQAAABYAAAB1"' }]);
});

test('without an expected version (or with an unknown, empty one) no If-Match is sent', async () => {
  const patch = answering(200, stored);
  await adapterOn(patch.api).update(user, 'AAMk-1', projection);
  await adapterOn(patch.api).update(user, 'AAMk-1', projection, '');
  expect(patch.seen.map((s) => s.ifMatch)).toEqual([null, null]);
});

test('a 412 is a VersionConflictRemoteError after a single attempt', async () => {
  const refused = answering(412, {
    error: {
      code: 'ErrorIrresolvableConflict',
      message:
        'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
    },
  });
  await expect(
    adapterOn(refused.api).update(user, 'AAMk-1', projection, 'CQAAABYAAAB1'),
  ).rejects.toBeInstanceOf(VersionConflictRemoteError);
  await expect(adapterOn(refused.api).delete(user, 'AAMk-1', 'CQAAABYAAAB1')).rejects.toBeInstanceOf(
    VersionConflictRemoteError,
  );
  expect(refused.seen.map((s) => s.method)).toEqual(['PATCH', 'DELETE']);
});

test('(control) the same client does retry a 503, so the single 412 attempt above is the mapping at work', async () => {
  const busy = answering(503, { error: { code: 'ServiceUnavailable', message: 'busy' } });
  await expect(adapterOn(busy.api).update(user, 'AAMk-1', projection, 'CQAAABYAAAB1')).rejects.toThrow();
  expect(busy.seen).toHaveLength(3);
});
