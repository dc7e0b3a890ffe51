import { graphMailboxBatchProbe, itemUrl } from '../../../../shared/app/preflight/mailbox-batch';
import { checkDingTalkScopes, outcomeOfError } from '../../../../shared/app/preflight/dingtalk-scopes';
import { QuotaExhaustedError } from '../../../../shared/connectors/dingtalk/errors';
import { PermanentRemoteError } from '../../../../shared/sync/types';

/** The preflight's probes on their own: Graph batch answers item by item, DingTalk refusals by their codes. */

type Item = { id: string; status: number; headers?: Record<string, string>; body?: unknown };

function apiAnswering(rounds: Array<(ids: string[]) => Item[]>) {
  const sent: string[][] = [];
  return {
    sent,
    api: {
      post: async <T>(path: string, body: unknown): Promise<T> => {
        expect(path).toBe('/$batch');
        const ids = (body as { requests: Array<{ id: string }> }).requests.map((r) => r.id);
        sent.push(ids);
        return { responses: rounds[sent.length - 1](ids) } as T;
      },
    },
  };
}

describe('the Graph batch mailbox probe', () => {
  const targets = [
    { entraId: 'a', resource: 'calendar' as const },
    { entraId: 'b', resource: 'inbox' as const },
    { entraId: 'c', resource: 'calendar' as const },
    { entraId: 'd', resource: 'calendar' as const },
  ];

  it('reads each item, and sends the throttled ones again after the longest Retry-After', async () => {
    const waits: number[] = [];
    const { api, sent } = apiAnswering([
      () => [
        { id: '0', status: 200 },
        { id: '1', status: 404, body: { error: { code: 'MailboxNotEnabledForRESTAPI' } } },
        { id: '2', status: 429, headers: { 'Retry-After': '2' } },
        { id: '3', status: 404, body: { error: { code: 'ErrorInvalidUser' } } },
      ],
      () => [{ id: '2', status: 200 }],
    ]);
    const answers = await graphMailboxBatchProbe(api, { sleep: async (ms) => void waits.push(ms) })(targets);
    expect(sent).toEqual([['0', '1', '2', '3'], ['2']]);
    expect(waits).toEqual([2000]);
    expect(answers).toEqual([
      { state: 'mailbox' },
      { state: 'no-mailbox', code: 'MailboxNotEnabledForRESTAPI' },
      { state: 'mailbox' },
      { state: 'unknown', reason: '404 ErrorInvalidUser' },
    ]);
  });

  it('gives up on an item throttled three times, saying why', async () => {
    const throttled = (ids: string[]) =>
      ids.map((id) => ({ id, status: 503, headers: { 'retry-after': '1' } }));
    const { api, sent } = apiAnswering([throttled, throttled, throttled]);
    const answers = await graphMailboxBatchProbe(api, { sleep: async () => undefined })(targets.slice(0, 1));
    expect(sent).toHaveLength(3);
    expect(answers).toEqual([{ state: 'unknown', reason: '503' }]);
  });

  it('asks for a calendar event id or the Inbox id, nothing more', () => {
    expect(itemUrl({ entraId: 'a b', resource: 'calendar' })).toBe('/users/a%20b/events?$top=1&$select=id');
    expect(itemUrl({ entraId: 'x', resource: 'inbox' })).toBe('/users/x/mailFolders/inbox?$select=id');
  });
});

describe('DingTalk permission probes', () => {
  it('recognises both documented refusals and nothing else', () => {
    const v1 = new PermanentRemoteError('x', 'Forbidden.AccessDenied.AccessTokenPermissionDenied', 403);
    expect(outcomeOfError(v1)).toEqual({
      kind: 'denied',
      code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
    });
    expect(outcomeOfError(new PermanentRemoteError('x', '60011', 200))).toEqual({
      kind: 'denied',
      code: '60011',
    });
    expect(outcomeOfError(new PermanentRemoteError('x', '60121', 200)).kind).toBe('unknown');
    const quota = outcomeOfError(new QuotaExhaustedError('spent', 1000, '2026-12-01T00:00:00.000Z'));
    expect(quota).toEqual({ kind: 'unknown', reason: expect.stringContaining('quota is spent') });
  });

  it('probes the directory always and one area per enabled kind with a DingTalk API', async () => {
    const probed: string[] = [];
    const result = await checkDingTalkScopes({
      kinds: ['calendar', 'mail'],
      probe: async (area) => {
        probed.push(area);
        return { kind: 'granted' };
      },
    });
    expect(probed).toEqual(['directory', 'calendar']);
    expect(result.ok).toBe(true);
    expect(result.detail).toContain('1 metered call');
    expect(result.detail).toContain('mail needs no app permission');
    expect(result.detail).toContain('Calendar.Event.Write');
  });

  it('warns, not fails, when no user can be read as', async () => {
    const result = await checkDingTalkScopes({
      kinds: ['todo'],
      probe: async (area) => (area === 'todo' ? { kind: 'no-user' } : { kind: 'granted' }),
    });
    expect(result.ok).toBe('warn');
    expect(result.detail).toContain('to-dos not probed: no paired DingTalk user');
  });
});
