import { type CallbackReceiver, CALLBACK, startCallbackReceiver } from './support/callback-receiver';
import { type Harness, startHarness } from './support/harness';

/** The control API over HTTP, as the local sandbox and other processes use it. */
describe('fake DingTalk control over HTTP', () => {
  let h: Harness;
  let receiver: CallbackReceiver;
  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
    await receiver.stop();
  });

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${h.fake.url}/_control${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };

  test('seeds a user and an event, reads the calendar, and the project client sees both', async () => {
    const carol = (
      await control('POST', '/users', { userid: 'carol', name: 'Carol', org_email: 'carol@corp.example' })
    ).body as { unionid: string };
    const created = await control('POST', `/users/${carol.unionid}/events`, {
      summary: 'from the sandbox',
      start: { dateTime: '2026-11-24T09:00:00+08:00', timeZone: 'Asia/Shanghai' },
      end: { dateTime: '2026-11-24T10:00:00+08:00', timeZone: 'Asia/Shanghai' },
    });
    expect(created.status).toBe(200);
    const calendar = (await control('GET', `/users/${carol.unionid}/events`)).body as Array<{
      summary: string;
    }>;
    expect(calendar.map((e) => e.summary)).toEqual(['from the sandbox']);
    expect((await h.directory.getUser('carol'))?.org_email).toBe('carol@corp.example');
  });

  test('configures the callback target and runs check_url', async () => {
    expect((await control('PUT', '/callback', { target: { url: receiver.url, ...CALLBACK } })).status).toBe(
      204,
    );
    expect((await control('POST', '/callback/register')).body).toMatchObject({ ok: true });
  });

  test('moves limits and reports usage; bad requests get a 400 that says why', async () => {
    await control('PUT', '/limits', { monthlyQuota: 1, monthlyUsage: 1 });
    expect((await control('GET', '/usage')).body).toMatchObject({ metered: 1, quota: 1 });
    await expect(h.adapter.listChanges(h.alice, 'primary', undefined)).rejects.toThrow(/quota/);
    const bad = await control('POST', '/users', { userid: 'carol', name: 'Carol again' });
    expect(bad).toEqual({ status: 400, body: { error: 'userid carol exists' } });
    expect((await control('GET', '/nothing')).status).toBe(404);
  });
});
