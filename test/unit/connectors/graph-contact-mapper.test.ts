import fc from 'fast-check';
import { decodeContactCursor, encodeContactCursor } from '../../../shared/connectors/graph/contact-cursor';
import {
  cardFromGraph,
  contactCreateBody,
  contactUpdateBody,
  CONTACT_ORIGIN_KEY_PROPERTY_ID,
  isCompleteRow,
  joinAddress,
  normalizeMobile,
  originKeyOf,
  toContactItem,
  versionOfContact,
  type GraphContact,
  type GraphContactWrite,
} from '../../../shared/connectors/graph/contact-mapper';
import type { ContactCard } from '../../../shared/sync/contact-card';
import { CursorExpiredError } from '../../../shared/sync/types';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const LABELS = new Set(['客户', '供应商', '合作伙伴', 'VIP']);
const isLabel = (c: string) => LABELS.has(c);

const card = (overrides: Partial<ContactCard> = {}): ContactCard => ({
  name: '张三',
  company: '钉钉科技',
  title: '采购经理',
  email: 'zhang.san@supplier.example',
  mobile: '+86 13000008888',
  address: '望京东路 1 号, 北京',
  notes: '技术负责人',
  labels: ['客户'],
  ...overrides,
});

/** A contact as Graph returns it after `write` (unset strings null, lists [], addresses {}). */
function asGraphReturns(write: GraphContactWrite, base: Partial<GraphContact> = {}): GraphContact {
  const merged: Record<string, unknown> = {
    displayName: null,
    givenName: null,
    surname: null,
    companyName: null,
    jobTitle: null,
    emailAddresses: [],
    mobilePhone: null,
    businessAddress: {},
    personalNotes: null,
    categories: [],
    ...base,
  };
  for (const [k, v] of Object.entries(write)) {
    if (k === 'singleValueExtendedProperties') continue;
    merged[k] = v;
  }
  return {
    id: 'AAkALgAAcontact1',
    changeKey: 'ck-1',
    '@odata.etag': 'W/"ck-1"',
    lastModifiedDateTime: '2026-11-22T08:00:00Z',
    ...merged,
    singleValueExtendedProperties: write.singleValueExtendedProperties ?? base.singleValueExtendedProperties,
  } as GraphContact;
}

describe('Outlook contact → card', () => {
  test('maps the fields; only categories that are DingTalk labels are labels, sorted', () => {
    const c = asGraphReturns({
      displayName: '张三',
      companyName: '钉钉科技',
      jobTitle: '采购经理',
      emailAddresses: [{ address: 'Zhang.San@Supplier.example ' }, { address: 'zs@home.example' }],
      mobilePhone: '+86 130 0000 8888',
      businessAddress: {
        street: '望京东路 1 号\r\n2 层',
        city: '北京',
        postalCode: '100102',
        countryOrRegion: 'China',
      },
      personalNotes: '第一行\r\n第二行',
      categories: ['Red category', '客户', '供应商', '客户'],
    });
    expect(cardFromGraph(c, isLabel)).toEqual({
      name: '张三',
      company: '钉钉科技',
      title: '采购经理',
      email: 'zhang.san@supplier.example',
      mobile: '+86 13000008888',
      address: '望京东路 1 号, 2 层, 北京, 100102, China',
      notes: '第一行\n第二行',
      labels: ['供应商', '客户'],
    });
  });

  test('without a displayName the name is made of given name and surname, family name first for CJK names', () => {
    expect(cardFromGraph(asGraphReturns({ givenName: '三', surname: '张' }), isLabel).name).toBe('张三');
    expect(cardFromGraph(asGraphReturns({ givenName: 'Ada', surname: 'Lovelace' }), isLabel).name).toBe(
      'Ada Lovelace',
    );
    expect(cardFromGraph(asGraphReturns({}), isLabel)).toMatchObject({
      name: '',
      email: '',
      address: '',
      labels: [],
    });
  });

  test('version, origin key and modifiedAt', () => {
    const c = asGraphReturns({
      singleValueExtendedProperties: [
        { id: CONTACT_ORIGIN_KEY_PROPERTY_ID.toUpperCase(), value: 'origin-1' },
      ],
    });
    expect(versionOfContact(c)).toBe('ck-1');
    expect(versionOfContact({ id: 'x', '@odata.etag': 'W/"ck-2"' })).toBe('ck-2');
    expect(originKeyOf(c)).toBe('origin-1');
    const item = toContactItem(c, isLabel, () => 'now');
    expect(item).toMatchObject({
      id: 'AAkALgAAcontact1',
      version: 'ck-1',
      modifiedAt: '2026-11-22T08:00:00Z',
    });
    expect(item.originKey).toBe('origin-1');
    expect(toContactItem({ ...c, lastModifiedDateTime: undefined }, isLabel, () => 'now').modifiedAt).toBe(
      'now',
    );
  });

  test('a delta row that lacks one of the mapped properties is not complete', () => {
    expect(isCompleteRow(asGraphReturns({}))).toBe(true);
    const { personalNotes: _dropped, ...partial } = asGraphReturns({});
    expect(isCompleteRow(partial as GraphContact)).toBe(false);
  });
});

describe('mobile numbers', () => {
  test.each([
    ['+86 130 0000 8888', '+86 13000008888'],
    ['+86-130-0000-8888', '+86 13000008888'],
    ['+8613000008888', '+86 13000008888'],
    ['008613000008888', '+86 13000008888'],
    ['13000008888', '+86 13000008888'],
    ['(010) 8888-8888', '+86 01088888888'],
    ['+1 (415) 555-0100', '+1 4155550100'],
    ['+14155550100', '+1 4155550100'],
    ['+852 9123 4567', '+852 91234567'],
    ['+85291234567', '+852 91234567'],
    ['+44 20 7946 0958', '+44 2079460958'],
    ['+7 495 123-45-67', '+7 4951234567'],
    ['+861 3000008888', '+86 13000008888'],
    ['', ''],
    ['n/a', ''],
  ])('%s → %s', (text, expected) => {
    expect(normalizeMobile(text)).toBe(expected);
  });

  test('a canonical number stays as it is', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1', '7', '44', '86', '852', '886', '971'),
        fc.stringMatching(/^[1-9]\d{5,12}$/),
        (cc, n) => {
          expect(normalizeMobile(`+${cc} ${n}`)).toBe(`+${cc} ${n}`);
          expect(normalizeMobile(`+${cc}${n}`)).toBe(`+${cc} ${n}`);
        },
      ),
      fastCheckRuns(runsFrom('PROPERTY_RUNS', 200)),
    );
  });
});

describe('addresses', () => {
  test('parts in order, empty ones left out', () => {
    expect(
      joinAddress({
        street: ' 1 Main St ',
        city: 'Springfield',
        state: 'IL',
        postalCode: '62701',
        countryOrRegion: 'USA',
      }),
    ).toBe('1 Main St, Springfield, IL, 62701, USA');
    expect(joinAddress({ city: '上海', street: null })).toBe('上海');
    expect(joinAddress(null)).toBe('');
  });
});

describe('card → create and update bodies', () => {
  test('create: displayName and givenName, the first e-mail, the street, the labels as categories, our stamp', () => {
    expect(contactCreateBody(card(), 'origin-1')).toEqual({
      displayName: '张三',
      givenName: '张三',
      companyName: '钉钉科技',
      jobTitle: '采购经理',
      emailAddresses: [{ address: 'zhang.san@supplier.example', name: '张三' }],
      mobilePhone: '+86 13000008888',
      businessAddress: { street: '望京东路 1 号, 北京' },
      personalNotes: '技术负责人',
      categories: ['客户'],
      singleValueExtendedProperties: [{ id: CONTACT_ORIGIN_KEY_PROPERTY_ID, value: 'origin-1' }],
    });
    expect(
      contactCreateBody(
        card({ company: '', title: '', email: '', mobile: '', address: '', notes: '', labels: [] }),
        'k',
      ),
    ).toEqual({
      displayName: '张三',
      givenName: '张三',
      singleValueExtendedProperties: [{ id: CONTACT_ORIGIN_KEY_PROPERTY_ID, value: 'k' }],
    });
  });

  test('update: nothing when Outlook already shows the card, even with a split name and the person’s categories', () => {
    const current = asGraphReturns(contactCreateBody(card(), 'k'), {});
    expect(contactUpdateBody(card(), current, isLabel)).toBeUndefined();
    const split = {
      ...current,
      displayName: '张三',
      givenName: '三',
      surname: '张',
      categories: ['Red', '客户'],
    };
    expect(contactUpdateBody(card(), split, isLabel)).toBeUndefined();
  });

  test('update: only what differs, always with displayName; the person’s categories and other addresses stay', () => {
    const current = asGraphReturns(contactCreateBody(card(), 'k'));
    current.emailAddresses = [{ address: 'zhang.san@supplier.example' }, { address: 'zs@home.example' }];
    current.categories = ['Red', '客户'];
    const body = contactUpdateBody(
      card({ title: '总监', email: 'new@x.example', labels: ['VIP', '供应商'] }),
      current,
      isLabel,
    );
    expect(body).toEqual({
      displayName: '张三',
      jobTitle: '总监',
      emailAddresses: [{ address: 'new@x.example', name: '张三' }, { address: 'zs@home.example' }],
      categories: ['Red', 'VIP', '供应商'],
    });
  });

  test('update: a new name replaces the split name; cleared fields are sent as null', () => {
    const current = asGraphReturns(contactCreateBody(card(), 'k'), {});
    expect(
      contactUpdateBody(
        card({ name: '张三丰', company: '', mobile: '', address: '', notes: '', email: '' }),
        current,
        isLabel,
      ),
    ).toEqual({
      displayName: '张三丰',
      givenName: '张三丰',
      surname: null,
      companyName: null,
      mobilePhone: null,
      businessAddress: null,
      personalNotes: null,
      emailAddresses: [],
    });
  });

  test('a card written and read back is the card', () => {
    const text = fc.string({ maxLength: 30 }).map((s) => s.replace(/\r/g, ''));
    const line = fc
      .array(
        fc.string({ minLength: 1, maxLength: 10 }).filter((s) => /^\S(.*\S)?$/.test(s) && !/[,\r\n]/.test(s)),
        {
          maxLength: 3,
        },
      )
      .map((parts) => parts.join(', '));
    const cards = fc.record({
      name: fc.string({ minLength: 1, maxLength: 20 }),
      company: text,
      title: text,
      email: fc.oneof(
        fc.constant(''),
        fc.emailAddress().map((e) => e.toLowerCase()),
      ),
      mobile: fc.oneof(
        fc.constant(''),
        fc
          .tuple(fc.constantFrom('86', '852', '1', '44'), fc.stringMatching(/^[1-9]\d{6,12}$/))
          .map(([cc, n]) => `+${cc} ${n}`),
      ),
      address: line,
      notes: text,
      labels: fc.subarray(['客户', '供应商', '合作伙伴', 'VIP']).map((l) => [...l].sort()),
    });
    fc.assert(
      fc.property(cards, (c) => {
        const held = asGraphReturns(contactCreateBody(c, 'k'));
        expect(cardFromGraph(held, isLabel)).toEqual(c);
        expect(contactUpdateBody(c, held, isLabel)).toBeUndefined();
      }),
      fastCheckRuns(runsFrom('PROPERTY_RUNS', 200)),
    );
  });
});

describe('Outlook contact cursor', () => {
  test('round-trips, and belongs to one folder', () => {
    const cursor = encodeContactCursor({
      v: 1,
      folderId: 'F1',
      link: 'https://graph/delta?$deltatoken=x',
      full: false,
    });
    expect(decodeContactCursor(cursor, 'F1')).toEqual({
      v: 1,
      folderId: 'F1',
      link: 'https://graph/delta?$deltatoken=x',
      full: false,
    });
    expect(() => decodeContactCursor(cursor, 'F2')).toThrow(CursorExpiredError);
  });

  test('anything else is an expired cursor', () => {
    for (const bad of ['', 'outlook-mail:e30', 'outlook-contact:!!', 'outlook-contact:e30', 'dtc1:'])
      expect(() => decodeContactCursor(bad, 'F1')).toThrow(CursorExpiredError);
  });
});
