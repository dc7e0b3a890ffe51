import { type CallbackReceiver, CALLBACK, startCallbackReceiver } from './support/callback-receiver';
import { APP, type Harness, startHarness } from './support/harness';
import { calendarEvent } from '../../support/calendar-event';

const event = calendarEvent({
  subject: '周会 100%',
  start: { local: '2026-11-23T09:30:00', timeZone: 'Asia/Shanghai' },
  end: { local: '2026-11-23T10:30:00', timeZone: 'Asia/Shanghai' },
});

describe('fake DingTalk pushes encrypted, signed callbacks', () => {
  let h: Harness;
  let receiver: CallbackReceiver;
  beforeEach(async () => {
    receiver = await startCallbackReceiver();
    h = await startHarness({ callback: { url: receiver.url, ...CALLBACK } });
  });
  afterEach(async () => {
    await h.stop();
    await receiver.stop();
  });

  // The harness's own users were added with callbacks too; those deliveries may finish in any order.
  const calendarDeliveries = () =>
    h.fake.control.deliveries().filter((d) => d.eventType === 'calendar_event_change');
  const calendarPayloads = () =>
    receiver.received.map((r) => r.payload).filter((p) => p.EventType === 'calendar_event_change');

  test('the app’s own create, update and delete each push calendar_event_change, encrypted for the appKey', async () => {
    const created = await h.adapter.create(h.alice, event, 'k1');
    await h.adapter.update(h.alice, created.id, { ...event, subject: 'renamed' });
    await h.adapter.delete(h.alice, created.id);
    await h.fake.control.callbacksSettled();

    expect(receiver.received.every((r) => r.signatureValid && r.ownerKey === APP.appKey)).toBe(true);
    expect(Object.keys(receiver.received[0]!.query).sort()).toEqual(['nonce', 'signature', 'timestamp']);
    expect(receiver.received[0]!.query.timestamp).toMatch(/^\d{13}$/);
    const payloads = calendarPayloads();
    expect(payloads.map((p) => p.ChangeType)).toEqual(['created', 'updated', 'cancelled']);
    expect(payloads[0]).toEqual({
      EventType: 'calendar_event_change',
      CorpId: APP.corpId,
      BizId: expect.any(String),
      EventTime: expect.any(Number),
      CalendarEventUpdateTime: expect.any(Number),
      ChangeType: 'created',
      CalendarId: expect.any(String),
      CalendarEventId: created.id,
      LegacyCalendarEventId: expect.any(String),
      operator: { type: 'user' },
      UnionIdList: [h.alice.dingtalkUnionId],
    });
    expect(
      h.fake.control
        .deliveries()
        .filter((d) => d.eventType === 'calendar_event_change')
        .every((d) => d.ok),
    ).toBe(true);
  });

  test('a change to a shared event names every participant', async () => {
    h.fake.control.userCreatesEvent(h.bob.dingtalkUnionId, {
      summary: 'bob and alice',
      start: { dateTime: '2026-11-24T09:00:00+08:00', timeZone: 'Asia/Shanghai' },
      end: { dateTime: '2026-11-24T10:00:00+08:00', timeZone: 'Asia/Shanghai' },
      attendees: [{ id: h.alice.dingtalkUnionId }],
    });
    await h.fake.control.callbacksSettled();
    expect(calendarPayloads()[0]!.UnionIdList).toEqual([h.bob.dingtalkUnionId, h.alice.dingtalkUnionId]);
  });

  test('directory changes push user_add_org, user_modify_org and user_leave_org with the userid', async () => {
    h.fake.control.addUser({ userid: 'carol', name: 'Carol' });
    h.fake.control.modifyUser('carol', { title: 'Lead' });
    h.fake.control.removeUser('carol');
    await h.fake.control.callbacksSettled();
    const contact = receiver.received
      .map((r) => r.payload)
      .filter((p) => String(p.EventType).startsWith('user_'));
    expect(contact.slice(-3).map((p) => [p.EventType, p.UserId])).toEqual([
      ['user_add_org', ['carol']],
      ['user_modify_org', ['carol']],
      ['user_leave_org', ['carol']],
    ]);
    expect(contact[0]).toMatchObject({ CorpId: APP.corpId, TimeStamp: expect.stringMatching(/^\d+$/) });
  });

  test('duplicates: the same event arrives again, re-encrypted, with the same BizId', async () => {
    h.fake.control.setCallbackBehaviour({ duplicateProbability: 1, duplicateCount: 2, duplicateDelayMs: 5 });
    await h.adapter.create(h.alice, event, 'k2');
    await h.fake.control.callbacksSettled();
    const calendar = receiver.received.filter((r) => r.payload.EventType === 'calendar_event_change');
    expect(calendar).toHaveLength(3);
    expect(new Set(calendar.map((r) => r.payload.BizId)).size).toBe(1);
    expect(new Set(calendar.map((r) => r.query.nonce)).size).toBe(3);
  });

  test('dropped events are never delivered, and the log says so', async () => {
    h.fake.control.setCallbackBehaviour({ dropProbability: 1 });
    await h.adapter.create(h.alice, event, 'k3');
    await h.fake.control.callbacksSettled();
    expect(calendarPayloads()).toHaveLength(0);
    expect(calendarDeliveries()).toEqual([expect.objectContaining({ attempt: -1, reason: 'dropped' })]);
  });

  test('legacy query names msg_signature/timeStamp can be chosen; ownerKey can be the corpId', async () => {
    h.fake.control.setCallbackTarget({
      url: receiver.url,
      ...CALLBACK,
      queryStyle: 'legacy',
      ownerKey: APP.corpId,
    });
    await h.adapter.create(h.alice, event, 'k4');
    await h.fake.control.callbacksSettled();
    const last = receiver.received.at(-1)!;
    expect(Object.keys(last.query).sort()).toEqual(['msg_signature', 'nonce', 'timeStamp']);
    expect(last.signatureValid).toBe(true);
    expect(last.ownerKey).toBe(APP.corpId);
  });

  test('a reply that is not the encrypted success counts as a failed delivery', async () => {
    for (const [reply, reason] of [
      ['plain-text-success', 'reply is not JSON'],
      ['wrong-word', '71009 返回文本非success'],
      ['http-500', 'HTTP 500'],
    ] as const) {
      receiver.reply = reply;
      await h.adapter.create(h.alice, { ...event, subject: reply }, `k-${reply}`);
      await h.fake.control.callbacksSettled();
      expect(calendarDeliveries().at(-1)).toMatchObject({ ok: false, reason });
    }
  });

  test('check_url: registration succeeds with the right answer in time', async () => {
    const result = await h.fake.control.registerCallback();
    expect(result.ok).toBe(true);
    expect(receiver.received.at(-1)!.payload).toEqual({ EventType: 'check_url' });
  });

  test('check_url: registration fails when the answer is wrong or later than 1.5 s', async () => {
    receiver.reply = 'wrong-word';
    expect(await h.fake.control.registerCallback()).toMatchObject({
      ok: false,
      reason: '71009 返回文本非success',
    });
    receiver.reply = 'success';
    receiver.delayMs = 1700;
    const late = await h.fake.control.registerCallback();
    expect(late).toMatchObject({ ok: false, reason: 'no answer within 1500 ms' });
    expect(late.elapsedMs).toBeGreaterThanOrEqual(1400);
  });
});
