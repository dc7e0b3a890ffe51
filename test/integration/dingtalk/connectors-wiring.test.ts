import { startFakeDingTalk } from '../../../sandbox/dingtalk';
import { createDingTalkConnectors } from '../../../shared/connectors/dingtalk';
import { loadConfig } from '../../../shared/platform/config';

/** The process-wide wiring, from validated settings to a working adapter, against the fake. */
test('createDingTalkConnectors wires token, budget, directory and calendar from Config', async () => {
  const base = loadConfig({ SYNC_MODE: 'sandbox', DINGTALK_MONTHLY_CALL_QUOTA: '100' }).dingtalk;
  const fake = await startFakeDingTalk({
    appKey: base.appKey,
    appSecret: base.appSecret,
    corpId: base.corpId,
  });
  try {
    const config = { ...base, apiBase: fake.url, oapiBase: fake.url };
    const alice = fake.control.addUser({ userid: 'alice', name: 'Alice', org_email: 'alice@corp.example' });
    const bob = fake.control.addUser({ userid: 'bob', name: 'Bob', org_email: 'bob@corp.example' });
    fake.control.userCreatesEvent(bob.unionid, {
      summary: 'bob invites alice',
      start: { dateTime: '2026-11-24T09:00:00+08:00', timeZone: 'Asia/Shanghai' },
      end: { dateTime: '2026-11-24T10:00:00+08:00', timeZone: 'Asia/Shanghai' },
      attendees: [{ id: alice.unionid }],
    });
    const dt = createDingTalkConnectors(config, { clock: { now: () => Date.parse('2026-11-22T08:00:00Z') } });
    const user = {
      pairId: 'p',
      dingtalkUserId: 'alice',
      dingtalkUnionId: alice.unionid,
      entraId: 'e',
      email: 'alice@corp.example',
    };

    const page = await dt.calendar.listChanges({ ...user, priority: 'push' }, 'primary', undefined);
    expect(page.changes).toHaveLength(1);
    expect(page.changes[0]).toMatchObject({
      projection: { organizerEmail: 'bob@corp.example', attendees: [{ email: 'alice@corp.example' }] },
    });
    expect(await dt.budget.status()).toMatchObject({ used: 1, quota: 100, reserve: 20 });
    expect((await dt.directory.listAllUsers()).map((u) => u.userid).sort()).toEqual(['alice', 'bob']);
  } finally {
    await fake.stop();
  }
});
