import { DingTalkContactRoster } from '../../../shared/connectors/dingtalk/contact-roster';
import type { DingTalkHttpClient } from '../../../shared/connectors/dingtalk/http-client';
import type { WireExtContact } from '../../../shared/connectors/dingtalk/contact-mapper';
import { ManualClock } from '../../../shared/platform/clock';

/** An organisation's external contacts as topapi/extcontact/list pages them (offset and size). */
function orgOf(contacts: WireExtContact[]) {
  const client = {
    calls: 0,
    async oapi<T>(path: string, body: { offset: number; size: number }): Promise<T> {
      expect(path).toBe('/topapi/extcontact/list');
      client.calls++;
      return { errcode: 0, results: contacts.slice(body.offset, body.offset + body.size) } as T;
    },
  };
  return client;
}

const contact = (id: string, follower: string, name = id): WireExtContact => ({
  userid: id,
  name,
  follower_user_id: follower,
  mobile: '13800138000',
  state_code: '86',
});

describe('the external-contact roster’s change announcements', () => {
  test('a refresh names the followers whose contacts were added, edited, removed or handed over; our own writes are not news', async () => {
    const contacts = [
      contact('c1', 'alice'),
      contact('c2', 'bob'),
      contact('c3', 'carol'),
      contact('c4', 'dan'),
    ];
    const client = orgOf(contacts);
    const clock = new ManualClock(0);
    const roster = new DingTalkContactRoster({
      client: client as unknown as DingTalkHttpClient,
      maxAgeMs: 60_000,
      clock,
    });
    const heard: string[][] = [];
    roster.onChange((followers) => heard.push([...followers].sort()));

    await roster.current();
    expect(heard).toEqual([]);

    contacts[0] = contact('c1', 'alice', 'Renamed'); // edited in DingTalk
    contacts.splice(1, 1); // bob's contact deleted
    contacts[1] = contact('c3', 'erin'); // carol's contact handed to erin
    contacts.push(contact('c5', 'frank')); // added
    const ours = contact('c4', 'dan', 'Written by us');
    contacts[2] = ours;
    roster.put(ours); // our own update, applied as it succeeded
    clock.advance(60_000);
    await roster.current();
    expect(heard).toEqual([['alice', 'bob', 'carol', 'erin', 'frank']]);

    clock.advance(60_000);
    await roster.current();
    expect(heard).toHaveLength(1);
    expect(client.calls).toBe(3);
  });

  test('a listener that throws does not break the refresh', async () => {
    const contacts = [contact('c1', 'alice')];
    const clock = new ManualClock(0);
    const roster = new DingTalkContactRoster({
      client: orgOf(contacts) as unknown as DingTalkHttpClient,
      maxAgeMs: 1,
      clock,
    });
    roster.onChange(() => {
      throw new Error('listener broke');
    });
    await roster.current();
    contacts.push(contact('c2', 'bob'));
    clock.advance(10);
    const snapshot = await roster.current();
    expect(snapshot.followedBy('bob').map((c) => c.userid)).toEqual(['c2']);
  });
});
