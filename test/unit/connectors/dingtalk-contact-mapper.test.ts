import fc from 'fast-check';
import { decodeContactCursor, encodeContactCursor } from '../../../shared/connectors/dingtalk/contact-cursor';
import { LabelCatalogue } from '../../../shared/connectors/dingtalk/contact-labels';
import {
  afterWrite,
  cardFromWire,
  createBody,
  splitMobile,
  updateBody,
  versionOf,
  type WireExtContact,
} from '../../../shared/connectors/dingtalk/contact-mapper';
import { decodeDescription } from '../../../shared/connectors/dingtalk/description-codec';
import type { ContactCard } from '../../../shared/sync/contact-card';
import { CursorExpiredError, PermanentRemoteError } from '../../../shared/sync/types';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const catalogue = new LabelCatalogue(
  [
    { id: 1026002, name: '客户', group: '类型' },
    { id: 1026003, name: '供应商', group: '类型' },
    { id: 1026004, name: '合作伙伴', group: '类型' },
    { id: 2000001, name: 'VIP', group: '等级' },
    { id: 3000001, name: '客户', group: '来源' },
  ],
  0,
);
const names = (ids: number[]) => catalogue.namesOf(ids);

const wire = (overrides: Partial<WireExtContact> = {}): WireExtContact => ({
  userid: '012345678900000001',
  name: '王五',
  mobile: '13088888888',
  state_code: '86',
  follower_user_id: 'alice',
  label_ids: [1026003, 1026002],
  share_user_ids: [],
  share_dept_ids: [],
  company_name: '钉钉',
  title: '销售总监',
  email: 'Wang.Wu@Customer.example ',
  address: '杭州市余杭区',
  remark: '老客户',
  ...overrides,
});

const card = (overrides: Partial<ContactCard> = {}): ContactCard => ({
  name: '王五',
  company: '钉钉',
  title: '销售总监',
  email: 'wang.wu@customer.example',
  mobile: '+86 13088888888',
  address: '杭州市余杭区',
  notes: '老客户',
  labels: ['供应商', '客户'],
  ...overrides,
});

const create = (c: ContactCard, originKey = 'origin-1', emailWritable = false) =>
  createBody(c, {
    followerUserId: 'alice',
    labelIds: catalogue.idsOf(c.labels),
    originKey,
    emailWritable,
  });

describe('DingTalk external contact → card', () => {
  test('maps every field: mobile with its country code, e-mail lower-cased, label names sorted', () => {
    expect(cardFromWire(wire(), names)).toEqual({ card: card() });
  });

  test('a missing state_code means China; no mobile means no number', () => {
    expect(cardFromWire(wire({ state_code: undefined }), names).card.mobile).toBe('+86 13088888888');
    expect(cardFromWire(wire({ state_code: '852', mobile: '91234567' }), names).card.mobile).toBe(
      '+852 91234567',
    );
    expect(cardFromWire(wire({ mobile: undefined }), names).card.mobile).toBe('');
  });

  test('our stamp is lifted out of remark as the origin key; the rest of remark is the notes, word for word', () => {
    const body = create(card({ notes: '周三联系\n\nOnline meeting: https://example.com/x' }), 'key-中文');
    expect(body.remark).not.toBe('周三联系\n\nOnline meeting: https://example.com/x');
    const mapped = cardFromWire(wire({ remark: body.remark }), names);
    expect(mapped.originKey).toBe('key-中文');
    expect(mapped.card.notes).toBe('周三联系\n\nOnline meeting: https://example.com/x');
  });

  test('unknown label ids (a label deleted since) are left out; a name in two groups shows once', () => {
    expect(cardFromWire(wire({ label_ids: [42, 2000001] }), names).card.labels).toEqual(['VIP']);
    expect(cardFromWire(wire({ label_ids: [1026002, 3000001] }), names).card.labels).toEqual(['客户']);
  });
});

describe('version', () => {
  test('the same content gives the same version, whatever the label order or sharing', () => {
    const v = versionOf(wire());
    expect(v).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(versionOf(wire({ label_ids: [1026002, 1026003], share_user_ids: ['bob'] }))).toBe(v);
  });

  test('any synced field changes it', () => {
    const v = versionOf(wire());
    for (const change of [
      { name: '王总' },
      { mobile: '13000000000' },
      { state_code: '852' },
      { follower_user_id: 'bob' },
      { label_ids: [1026002] },
      { company_name: 'x' },
      { title: 'x' },
      { email: 'x@y.example' },
      { address: 'x' },
      { remark: 'x' },
    ] satisfies Partial<WireExtContact>[]) {
      expect(versionOf(wire(change))).not.toBe(v);
    }
  });
});

describe('mobile numbers', () => {
  test.each([
    ['+86 13088888888', { state_code: '86', mobile: '13088888888' }],
    ['+86 130-8888-8888', { state_code: '86', mobile: '13088888888' }],
    ['+852 9123 4567', { state_code: '852', mobile: '91234567' }],
    ['+1 (415) 555-0100', { state_code: '1', mobile: '4155550100' }],
    ['+8613088888888', { state_code: '86', mobile: '13088888888' }],
    ['130 8888 8888', { state_code: '86', mobile: '13088888888' }],
  ])('%s', (text, expected) => {
    expect(splitMobile(text)).toEqual(expected);
  });

  test('what DingTalk would refuse is no mobile number', () => {
    for (const text of ['', 'n/a', '+85291234567', '123', '130-abc'.repeat(2)])
      expect(splitMobile(text)).toBeUndefined();
  });

  test('another default country code applies to numbers without "+"', () => {
    expect(splitMobile('91234567', '852')).toEqual({ state_code: '852', mobile: '91234567' });
  });
});

describe('card → create and update bodies', () => {
  test('create: the follower, label ids, mobile apart from its country code, the stamp in remark; no e-mail unless writable', () => {
    const body = create(card());
    expect(body).toMatchObject({
      name: '王五',
      follower_user_id: 'alice',
      label_ids: [1026003, 1026002],
      mobile: '13088888888',
      state_code: '86',
      company_name: '钉钉',
      title: '销售总监',
      address: '杭州市余杭区',
    });
    expect(body).not.toHaveProperty('email');
    expect(body).not.toHaveProperty('user_id');
    expect(decodeDescription(body.remark!)).toEqual({
      body: '老客户',
      originKey: 'origin-1',
      joinUrl: undefined,
    });
    expect(create(card({ email: 'A@B.example' }), 'k', true).email).toBe('a@b.example');
  });

  test('create: a card without a mobile number, or without a name, is refused for good', () => {
    expect(() => create(card({ mobile: '' }))).toThrow(PermanentRemoteError);
    expect(() => create(card({ mobile: '' }))).toThrow(
      'DingTalk requires a mobile number for an external contact',
    );
    expect(() => create(card({ mobile: 'ask reception' }))).toThrow(/requires a mobile number/);
    expect(() => create(card({ name: ' ' }))).toThrow(/requires a name/);
  });

  test('update: nothing writable differs → no update, even when the mobile number (not writable) does', () => {
    const current = afterWrite(undefined, 'c1', create(card()));
    expect(
      updateBody(card({ mobile: '+86 13100000000' }), current, current.label_ids!, false),
    ).toBeUndefined();
    expect(updateBody(card(), current, [...current.label_ids!].reverse(), false)).toBeUndefined();
  });

  test('update: the writable fields, the contact id, its follower, and the stamp kept in remark', () => {
    const current = afterWrite(undefined, 'c1', create(card(), 'origin-9'));
    const body = updateBody(card({ title: 'CEO', notes: '新备注' }), current, [2000001], false)!;
    expect(body).toMatchObject({
      user_id: 'c1',
      follower_user_id: 'alice',
      title: 'CEO',
      label_ids: [2000001],
    });
    expect(body).not.toHaveProperty('mobile');
    expect(body).not.toHaveProperty('state_code');
    expect(decodeDescription(body.remark!)).toMatchObject({ body: '新备注', originKey: 'origin-9' });
    const after = afterWrite(current, 'c1', body);
    expect(after.mobile).toBe('13088888888');
    expect(cardFromWire(after, names).card).toMatchObject({ title: 'CEO', notes: '新备注', labels: ['VIP'] });
  });

  test('update: e-mail only when writable; clearing a field sends an empty string', () => {
    const current = afterWrite(undefined, 'c1', create(card()));
    expect(updateBody(card({ email: 'new@x.example' }), current, current.label_ids!, false)).toBeUndefined();
    expect(updateBody(card({ email: 'new@x.example' }), current, current.label_ids!, true)?.email).toBe(
      'new@x.example',
    );
    expect(updateBody(card({ company: '' }), current, current.label_ids!, false)?.company_name).toBe('');
  });

  test('a card written and read back is the card (without e-mail, which the API does not take)', () => {
    const text = fc.string({ maxLength: 30 });
    const cards = fc.record({
      name: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
      company: text,
      title: text,
      email: fc.emailAddress().map((e) => e.toLowerCase()),
      mobile: fc
        .tuple(fc.constantFrom('86', '852', '1', '44'), fc.stringMatching(/^[1-9]\d{6,12}$/))
        .map(([cc, n]) => `+${cc} ${n}`),
      address: text,
      notes: text,
      labels: fc.subarray(['客户', '供应商', '合作伙伴', 'VIP'], { minLength: 1 }).map((l) => [...l].sort()),
    });
    fc.assert(
      fc.property(cards, fc.string({ minLength: 1, maxLength: 40 }), (c, originKey) => {
        const held = afterWrite(undefined, 'c1', create(c, originKey));
        const back = cardFromWire(held, names);
        expect(back.card).toEqual({ ...c, email: '' });
        expect(back.originKey).toBe(originKey);
        expect(updateBody(back.card, held, held.label_ids!, false)).toBeUndefined();
      }),
      fastCheckRuns(runsFrom('PROPERTY_RUNS', 200)),
    );
  });
});

describe('label catalogue', () => {
  test('names ⇄ ids, without regard to case or width; an id the contact has wins among labels of one name', () => {
    expect(catalogue.idsOf(['vip', '客户', 'nope'])).toEqual([2000001, 1026002]);
    expect(catalogue.idsOf(['客户'], [3000001])).toEqual([3000001]);
    expect(catalogue.idsOf(['ＶＩＰ'])).toEqual([2000001]);
    expect(catalogue.has('Vip')).toBe(true);
    expect(catalogue.has('Red category')).toBe(false);
    expect(catalogue.defaultId()).toBe(1026002);
    expect(new LabelCatalogue([], 0).defaultId()).toBeUndefined();
  });
});

describe('DingTalk contact cursor', () => {
  test('round-trips ids and the first 8 characters of each version, odd ids included', () => {
    const cursor = encodeContactCursor([
      ['012345', 'abcdefghijkl'],
      ['id:with,odd%chars', 'ZYXWVUTS_-12'],
    ]);
    expect(cursor.startsWith('dtc1:')).toBe(true);
    expect([...decodeContactCursor(cursor)]).toEqual([
      ['012345', 'abcdefgh'],
      ['id:with,odd%chars', 'ZYXWVUTS'],
    ]);
    expect(decodeContactCursor(encodeContactCursor([])).size).toBe(0);
  });

  test('a long cursor is deflated and still round-trips', () => {
    const entries = Array.from(
      { length: 2000 },
      (_, i) => [`0${String(i).padStart(17, '0')}`, `v${i}`.padEnd(12, 'x')] as const,
    );
    const cursor = encodeContactCursor(entries);
    expect(cursor.startsWith('dtc1z:')).toBe(true);
    expect(cursor.length).toBeLessThan(32_000);
    const decoded = decodeContactCursor(cursor);
    expect(decoded.size).toBe(2000);
    expect(decoded.get('000000000000001999')).toBe('v1999xxx');
  });

  test('anything else is an expired cursor', () => {
    for (const bad of [
      '',
      'dt1:sync:x',
      'dtc1:abc',
      'dtc1:a:b:c',
      'dtc1:%E0%A4%A:abc',
      'dtc1z:!!!',
      'outlook-contact:x',
    ])
      expect(() => decodeContactCursor(bad)).toThrow(CursorExpiredError);
  });
});
