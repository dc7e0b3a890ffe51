import { DingTalkContactAdapter } from '../../../shared/connectors/dingtalk/contact-adapter';
import { QuotaExhaustedError } from '../../../shared/connectors/dingtalk/errors';
import { ManualClock } from '../../../shared/platform/clock';
import type { ContactCard } from '../../../shared/sync/contact-card';
import {
  isDeletion,
  PermanentRemoteError,
  TransientRemoteError,
  type UserRef,
} from '../../../shared/sync/types';
import { contactAdapterContract } from '../contact-adapter.contract';
import { drain, items } from '../side-adapter.contract';
import { startHarness, type Harness } from '../../integration/dingtalk/support/harness';
import { EXT_CONTACT_WRITE_FIELDS } from './oapi-fields';

/**
 * The contact contract against the fake DingTalk's external contacts, plus what only this side has: the shared
 * org roster, the follower scope, the stamp in remark, labels by id, the fields extcontact/update cannot write,
 * and the refusals DingTalk gives (permissions, QPS, the monthly quota).
 */

const ROSTER_AGE_MS = 60_000;
const LABELS: [string, string, string] = ['客户', '供应商', '合作伙伴'];
const START = Date.parse('2026-11-22T08:00:00Z');

const CONTACT_WRITE_FIELDS = new Set(EXT_CONTACT_WRITE_FIELDS);

interface Setup {
  h: Harness;
  clock: ManualClock;
  adapter: DingTalkContactAdapter;
  carol: UserRef;
  extcontactCalls(operation?: string): number;
  /** Waits the client asked for (it waits out QPS refusals). */
  sleeps: number[];
}

async function setUp(options: { emailWritable?: boolean } = {}): Promise<Setup> {
  const clock = new ManualClock(START);
  const sleeps: number[] = [];
  const h = await startHarness({ clock, sleep: async (ms) => void sleeps.push(ms) });
  const carol = userRef(
    h.fake.control.addUser({ userid: 'carol', name: 'Carol', org_email: 'carol@corp.example' }),
  );
  const adapter = new DingTalkContactAdapter({
    client: h.client,
    clock,
    rosterMaxAgeMs: ROSTER_AGE_MS,
    emailWritable: options.emailWritable,
  });
  const extcontactCalls = (operation?: string) =>
    h.fake.control
      .exchanges()
      .filter((e) => e.operation === (operation ? `/topapi/extcontact/${operation}` : e.operation))
      .filter((e) => e.operation.startsWith('/topapi/extcontact/')).length;
  return { h, clock, adapter, carol, extcontactCalls, sleeps };
}

function userRef(u: { userid: string; unionid: string; org_email?: string }): UserRef {
  return {
    pairId: u.userid,
    dingtalkUserId: u.userid,
    dingtalkUnionId: u.unionid,
    entraId: `entra-${u.userid}`,
    email: u.org_email ?? '',
  };
}

contactAdapterContract(
  'DingTalk external contacts against the fake DingTalk',
  {
    cursorsExpire: false,
    listsOriginKey: true,
    requiresMobile: true,
    ownFolder: false,
    followerRoster: true,
  },
  async () => {
    const s = await setUp();
    const { h, clock } = s;
    const owner = h.alice.dingtalkUserId;
    let mobiles = 0;
    // An edit in the app is seen once the roster is older than its age: the fixture waits that long after one.
    const waitForRoster = () => clock.advance(ROSTER_AGE_MS + 1);
    return {
      adapter: s.adapter,
      user: h.alice,
      folder: 'extcontacts',
      labels: LABELS,
      stored: (card: ContactCard) => ({ ...card, email: '' }),
      remoteCalls: () => s.extcontactCalls(),
      remote: {
        editOutOfBand: async (id, change) => {
          const patch: Record<string, unknown> = {};
          if (change.name !== undefined) patch.name = change.name;
          if (change.company !== undefined) patch.company_name = change.company;
          if (change.notes !== undefined) patch.remark = change.notes;
          h.fake.control.userEditsExtContact(owner, id, patch);
          waitForRoster();
        },
        deleteOutOfBand: async (id) => {
          h.fake.control.userDeletesExtContact(owner, id);
          waitForRoster();
        },
      },
      followers: {
        others: [h.bob, s.carol],
        addFollowedBy: async (user, name) =>
          h.fake.control.userAddsExtContact(user.dingtalkUserId, {
            name,
            mobile: `1390000${String(++mobiles).padStart(4, '0')}`,
          }).userid as string,
        orgListingCalls: () => s.extcontactCalls('list'),
        orgContacts: () => h.fake.control.allExtContacts().length,
        rosterMaxAgeMs: ROSTER_AGE_MS,
        advanceTime: async (ms) => clock.advance(ms),
      },
      dispose: () => h.stop(),
    };
  },
);

describe('DingTalk external contacts: what only this side has', () => {
  let s: Setup;
  afterEach(() => s.h.stop());

  const card = (overrides: Partial<ContactCard> = {}): ContactCard => ({
    name: '王五',
    company: '钉钉',
    title: '销售总监',
    email: 'wang.wu@customer.example',
    mobile: '+86 13088888888',
    address: '杭州市余杭区',
    notes: '老客户',
    labels: ['客户'],
    ...overrides,
  });

  test('create sends the documented fields: state_code and mobile apart, the user as follower, label ids', async () => {
    s = await setUp();
    const created = await s.adapter.create(s.h.alice, card({ mobile: '+852 9123 4567' }), 'origin-1');
    const sent = s.h.fake.control.exchanges().find((e) => e.operation === '/topapi/extcontact/create')!;
    const contact = (sent.requestBody as { contact: Record<string, unknown> }).contact;
    expect(Object.keys(contact).filter((k) => !CONTACT_WRITE_FIELDS.has(k))).toEqual([]);
    expect(contact).toMatchObject({
      name: '王五',
      mobile: '91234567',
      state_code: '852',
      follower_user_id: 'alice',
      label_ids: [1026002],
    });
    // DingTalk documents email on get only: it is not sent unless the adapter is told the API takes it.
    expect(contact).not.toHaveProperty('email');
    expect(created.projection.mobile).toBe('+852 91234567');
    const held = s.h.fake.control.extContactsOf('alice')[0]!;
    expect(held.remark).not.toBe('老客户');
    expect(String(held.remark).startsWith('老客户')).toBe(true);
    expect((await s.adapter.get(s.h.alice, created.id))?.projection.notes).toBe('老客户');
  });

  test('a mobile number without "+" is taken with country code 86', async () => {
    s = await setUp();
    const created = await s.adapter.create(s.h.alice, card({ mobile: '139 0000 1111' }), 'origin-2');
    expect(s.h.fake.control.extContactsOf('alice')[0]).toMatchObject({
      mobile: '13900001111',
      state_code: '86',
    });
    expect(created.projection.mobile).toBe('+86 13900001111');
  });

  test('with emailWritable the e-mail address is sent and round-trips', async () => {
    s = await setUp({ emailWritable: true });
    s.h.fake.control.setExtContactOptions({ emailWritable: true });
    const created = await s.adapter.create(
      s.h.alice,
      card({ email: 'Wang.Wu@Customer.example' }),
      'origin-3',
    );
    expect(s.h.fake.control.extContactsOf('alice')[0]!.email).toBe('wang.wu@customer.example');
    expect((await s.adapter.get(s.h.alice, created.id))?.projection.email).toBe('wang.wu@customer.example');
  });

  test('labels: unknown names are dropped; a card with none gets the org’s first label; update keeps labels when none map', async () => {
    s = await setUp();
    s.h.fake.control.addExtContactLabelGroup('行业', ['制造', '零售']);
    const a = await s.adapter.create(s.h.alice, card({ labels: ['零售', 'Not a label'] }), 'origin-4');
    expect(a.projection.labels).toEqual(['零售']);
    const b = await s.adapter.create(
      s.h.alice,
      card({ name: '赵六', labels: ['Nothing known'] }),
      'origin-5',
    );
    expect(b.projection.labels).toEqual(['客户']);
    const kept = await s.adapter.update(s.h.alice, a.id, { ...a.projection, labels: [], title: 'CEO' });
    expect(kept.projection.labels).toEqual(['零售']);
    expect(s.h.fake.control.allExtContacts().find((c) => c.userid === a.id)).toMatchObject({ title: 'CEO' });
  });

  test('a label created in the app after the catalogue was read is still known', async () => {
    s = await setUp();
    const created = await s.adapter.create(s.h.alice, card(), 'origin-6');
    const group = s.h.fake.control.addExtContactLabelGroup('来源', ['展会']);
    s.clock.advance(ROSTER_AGE_MS + 1);
    s.h.fake.control.userEditsExtContact('alice', created.id, { label_ids: [group.labels[0]!.id] });
    expect((await s.adapter.get(s.h.alice, created.id))?.projection.labels).toEqual(['展会']);
    const updated = await s.adapter.update(s.h.alice, created.id, {
      ...created.projection,
      labels: ['供应商', '展会'],
    });
    expect(updated.projection.labels).toEqual(['供应商', '展会']);
  });

  test('update cannot change the mobile number; it keeps the stamp in remark, and skips the call when nothing differs', async () => {
    s = await setUp();
    const created = await s.adapter.create(s.h.alice, card(), 'origin-7');
    const updated = await s.adapter.update(s.h.alice, created.id, {
      ...created.projection,
      mobile: '+86 13111111111',
      notes: '新的备注',
    });
    expect(updated.projection.mobile).toBe('+86 13088888888');
    expect(updated.projection.notes).toBe('新的备注');
    const sent = s.h.fake.control.exchanges().filter((e) => e.operation === '/topapi/extcontact/update');
    expect(sent).toHaveLength(1);
    expect((sent[0]!.requestBody as { contact: object }).contact).not.toHaveProperty('mobile');
    expect((await s.adapter.findByOriginKey(s.h.alice, 'origin-7'))?.id).toBe(created.id);

    s.clock.advance(2_000);
    const before = s.extcontactCalls();
    const same = await s.adapter.update(s.h.alice, created.id, updated.projection, updated.version);
    expect(same.version).toBe(updated.version);
    expect(s.extcontactCalls('update')).toBe(1);
    expect(s.extcontactCalls() - before).toBe(1);
  });

  test('findByOriginKey finds a create made by another process, from a fresh org listing', async () => {
    s = await setUp();
    const created = await s.adapter.create(s.h.alice, card(), 'origin-8');
    const restarted = new DingTalkContactAdapter({ client: s.h.client, clock: s.clock });
    const listings = s.extcontactCalls('list');
    const found = await restarted.findByOriginKey(s.h.alice, 'origin-8');
    expect(found?.id).toBe(created.id);
    expect(found?.originKey).toBe('origin-8');
    expect(s.extcontactCalls('list')).toBe(listings + 1);
    expect(await restarted.findByOriginKey(s.h.bob, 'origin-8')).toBeUndefined();
  });

  test('a contact handed over to another colleague leaves the old follower’s list and joins the new one’s', async () => {
    s = await setUp();
    const created = await s.adapter.create(s.h.alice, card(), 'origin-9');
    const alice = await drain({ adapter: s.adapter, user: s.h.alice, folder: 'extcontacts' }, undefined);
    const bob = await drain({ adapter: s.adapter, user: s.h.bob, folder: 'extcontacts' }, undefined);
    expect(items(bob.changes)).toEqual([]);
    s.h.fake.control.userEditsExtContact('alice', created.id, { follower_user_id: 'bob' });
    s.clock.advance(ROSTER_AGE_MS + 1);
    const aliceAfter = await drain(
      { adapter: s.adapter, user: s.h.alice, folder: 'extcontacts' },
      alice.cursor,
    );
    expect(aliceAfter.changes).toEqual([{ id: created.id, deleted: true }]);
    const bobAfter = await drain({ adapter: s.adapter, user: s.h.bob, folder: 'extcontacts' }, bob.cursor);
    expect(items(bobAfter.changes).map((c) => c.id)).toEqual([created.id]);
    await expect(s.adapter.update(s.h.alice, created.id, created.projection)).rejects.toMatchObject({
      code: 'remote-not-found',
    });
  });

  test('a contact the org listing missed is confirmed with a get and not reported as deleted', async () => {
    s = await setUp();
    const created = await s.adapter.create(s.h.alice, card(), 'origin-10');
    const baseline = await drain({ adapter: s.adapter, user: s.h.alice, folder: 'extcontacts' }, undefined);
    // Offset paging over a list that changes while it is read can skip a contact: the roster then lacks it.
    s.adapter.roster.remove(created.id);
    const gets = s.extcontactCalls('get');
    const after = await drain(
      { adapter: s.adapter, user: s.h.alice, folder: 'extcontacts' },
      baseline.cursor,
    );
    expect(after.changes.filter(isDeletion)).toEqual([]);
    expect(s.extcontactCalls('get')).toBe(gets + 1);
    const next = await drain({ adapter: s.adapter, user: s.h.alice, folder: 'extcontacts' }, after.cursor);
    expect(next.changes).toEqual([]);
  });

  test('a withdrawn permission is refused for good, naming the permission to grant', async () => {
    s = await setUp();
    const created = await s.adapter.create(s.h.alice, card(), 'origin-11');
    s.h.fake.control.setExtContactOptions({ write: false });
    const write = await s.adapter
      .update(s.h.alice, created.id, { ...created.projection, title: 'x' })
      .catch((e) => e);
    expect(write).toBeInstanceOf(PermanentRemoteError);
    expect(write.message).toMatch(/qyapi_ext_write/);
    s.h.fake.control.setExtContactOptions({ read: false });
    s.clock.advance(ROSTER_AGE_MS + 1);
    const read = await s.adapter.listChanges(s.h.alice, 'extcontacts', undefined).catch((e) => e);
    expect(read).toBeInstanceOf(PermanentRemoteError);
    expect(read.message).toMatch(/qyapi_ext_read/);
  });

  test('QPS refusals are waited out by the client; a spent monthly quota is a QuotaExhaustedError', async () => {
    s = await setUp();
    s.h.fake.control.injectFault({ path: '/topapi/extcontact/list', kind: 'qpsLimit', times: 1 });
    const listed = await s.adapter.listChanges(s.h.alice, 'extcontacts', undefined);
    expect(listed.fullListing).toBe(true);
    expect(s.sleeps).toEqual([1000]);
    const usage = s.h.fake.control.usage();
    s.h.fake.control.setMonthlyUsage(usage.quota);
    const error = await s.adapter.create(s.h.alice, card(), 'origin-12').catch((e) => e);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect(error).toBeInstanceOf(TransientRemoteError);
  });

  test('a create for a colleague who left the org is refused for good, not taken for a missing contact', async () => {
    s = await setUp();
    s.h.fake.control.removeUser('carol');
    const error = await s.adapter.create(s.carol, card(), 'origin-13').catch((e) => e);
    expect(error).toBeInstanceOf(PermanentRemoteError);
    expect(error.message).toMatch(/follower is not a member/);
    expect(s.h.fake.control.allExtContacts()).toEqual([]);
  });

  test('another folder than the external contacts is refused', async () => {
    s = await setUp();
    await expect(s.adapter.listChanges(s.h.alice, 'primary', undefined)).rejects.toBeInstanceOf(
      PermanentRemoteError,
    );
  });
});
