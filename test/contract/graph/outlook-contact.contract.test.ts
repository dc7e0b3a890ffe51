import { OutlookContactAdapter } from '../../../shared/connectors/graph/contact-adapter';
import {
  OUTLOOK_CONTACT_FOLDER_NAME,
  OutlookContactFolders,
} from '../../../shared/connectors/graph/contact-folder';
import { ManualClock } from '../../../shared/platform/clock';
import type { ContactCard } from '../../../shared/sync/contact-card';
import { CursorExpiredError, PermanentRemoteError } from '../../../shared/sync/types';
import { checkInstance, loadCsdl } from '../../support/graph/csdl';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import { contactAdapterContract } from '../contact-adapter.contract';
import { drain, items } from '../side-adapter.contract';

/**
 * The contact contract against the fake Graph's Outlook contacts, plus what only this side has: the product's own
 * folder (found, made once, raced), the person's own categories, and request bodies that fit the v1.0 CSDL.
 */

const LABELS: [string, string, string] = ['客户', '供应商', '合作伙伴'];
const isLabel = (category: string) => LABELS.includes(category);

interface Setup {
  h: GraphHarness;
  adapter: OutlookContactAdapter;
  contactRequests(): { method: string; path: string; body: unknown }[];
}

async function setUp(): Promise<Setup> {
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  const h = await startGraphHarness({ clock });
  // The wiring gives the connector's adapter the DingTalk label test once both sides exist.
  const adapter = h.connector.contacts.withLabels(isLabel);
  const contactRequests = () =>
    h.fake.control.requests.filter((r) => /\/(contactFolders|contacts)(\/|\(|$)/i.test(r.path));
  return { h, adapter, contactRequests };
}

contactAdapterContract(
  'Outlook (Graph) contacts against the fake Graph',
  {
    cursorsExpire: true,
    listsOriginKey: false,
    requiresMobile: false,
    ownFolder: true,
    followerRoster: false,
  },
  async () => {
    const { h, adapter, contactRequests } = await setUp();
    const owner = h.user.entraId;
    const contacts = h.fake.control.contacts;
    return {
      adapter,
      user: h.user,
      folder: 'dingtalk',
      labels: LABELS,
      stored: (card: ContactCard) => card,
      remoteCalls: () => contactRequests().length,
      remote: {
        editOutOfBand: async (id, change) => {
          const patch: Record<string, unknown> = {};
          if (change.name !== undefined) patch.displayName = change.name;
          if (change.company !== undefined) patch.companyName = change.company;
          if (change.notes !== undefined) patch.personalNotes = change.notes;
          contacts.userEditsContact(owner, id, patch);
        },
        deleteOutOfBand: async (id) => {
          contacts.userDeletesContact(owner, id);
        },
        expireCursors: async () => contacts.expireContactDeltaTokens(owner),
      },
      ownFolder: {
        addToPersonalContacts: async (name) =>
          contacts.userCreatesContact(owner, 'contacts', {
            displayName: name,
            mobilePhone: '+86 13500000000',
            categories: [LABELS[0]],
          }).id as string,
        personalFolderAccesses: () => contacts.contactAccesses(owner, 'contacts').length,
      },
      dispose: () => h.stop(),
    };
  },
);

describe('Outlook contacts: what only this side has', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setUp();
  });
  afterEach(() => s.h.stop());

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

  test('the folder is made once, under the default Contacts folder, and found again by a new process', async () => {
    const created = await s.adapter.create(s.h.user, card(), 'origin-1');
    const folders = s.h.fake.control.contacts.contactFolders(s.h.user.entraId);
    expect(folders.map((f) => f.displayName)).toEqual(['Contacts', OUTLOOK_CONTACT_FOLDER_NAME]);
    expect(folders[1]!.parentFolderId).toBe(folders[0]!.id);
    const restarted = new OutlookContactAdapter({ api: s.h.connector.api, isLabel });
    expect((await restarted.get(s.h.user, created.id))?.projection.name).toBe('张三');
    const posts = s.contactRequests().filter((r) => r.method === 'POST' && /contactFolders$/.test(r.path));
    expect(posts).toHaveLength(1);
  });

  test('two processes making the folder at once end up with one folder (409 ErrorFolderExists)', async () => {
    const a = new OutlookContactFolders(s.h.connector.api);
    const b = new OutlookContactFolders(s.h.connector.api);
    const [ida, idb] = await Promise.all([a.folderId(s.h.user), b.folderId(s.h.user)]);
    expect(ida).toBe(idb);
    expect(s.h.fake.control.contacts.contactFolders(s.h.user.entraId)).toHaveLength(2);
  });

  test('the fields map as documented: mobile as "+CC number", the address parts joined, the first e-mail', async () => {
    const contacts = s.h.fake.control.contacts;
    const folderId = await s.adapter.folders.folderId(s.h.user);
    const made = contacts.userCreatesContact(s.h.user.entraId, folderId, {
      givenName: '四',
      surname: '李',
      companyName: '阿里',
      emailAddresses: [
        { name: '李四', address: 'Li.Si@Example.com' },
        { name: '李四', address: 'si@home.example' },
      ],
      mobilePhone: '130 0000 8888',
      businessAddress: {
        street: '文一西路 969 号',
        city: '杭州',
        postalCode: '311121',
        countryOrRegion: 'China',
      },
      categories: ['Red category', '供应商', '客户'],
    });
    const read = await s.adapter.get(s.h.user, made.id as string);
    expect(read?.projection).toEqual({
      name: '李四',
      company: '阿里',
      title: '',
      email: 'li.si@example.com',
      mobile: '+86 13000008888',
      address: '文一西路 969 号, 杭州, 311121, China',
      notes: '',
      labels: ['供应商', '客户'],
    });
    expect(read?.originKey).toBeUndefined();
  });

  test("an update keeps the person's own categories, the other e-mail addresses and the split name", async () => {
    const created = await s.adapter.create(s.h.user, card(), 'origin-2');
    s.h.fake.control.contacts.userEditsContact(s.h.user.entraId, created.id, {
      categories: ['客户', 'Red category'],
      givenName: '三',
      surname: '张',
      emailAddresses: [{ address: 'zhang.san@supplier.example' }, { address: 'zs@home.example' }],
    });
    const current = await s.adapter.get(s.h.user, created.id);
    expect(current?.projection.labels).toEqual(['客户']);
    const updated = await s.adapter.update(
      s.h.user,
      created.id,
      { ...current!.projection, labels: ['供应商'], title: '总监' },
      current!.version,
    );
    expect(updated.projection.labels).toEqual(['供应商']);
    const held = s.h.fake.control.contacts
      .contactsIn(s.h.user.entraId, OUTLOOK_CONTACT_FOLDER_NAME)
      .find((c) => c.id === created.id)!;
    expect(held.categories).toEqual(['Red category', '供应商']);
    expect(held).toMatchObject({ givenName: '三', surname: '张', displayName: '张三', jobTitle: '总监' });
    expect((held.emailAddresses as { address: string }[]).map((e) => e.address)).toEqual([
      'zhang.san@supplier.example',
      'zs@home.example',
    ]);
  });

  test('an update without an expected version is still conditioned on what it read, and retries a race once', async () => {
    const created = await s.adapter.create(s.h.user, card(), 'origin-3');
    const api = s.h.connector.api;
    const ifMatches: (string | undefined)[] = [];
    const racing = Object.assign(Object.create(api) as typeof api, {
      patch: (path: string, body: unknown, options: Parameters<typeof api.patch>[2]) => {
        ifMatches.push(options?.ifMatch);
        // The person adds a category of their own between our read and our PATCH, the first time only.
        if (ifMatches.length === 1)
          s.h.fake.control.contacts.userEditsContact(s.h.user.entraId, created.id, {
            categories: ['客户', 'Red category'],
          });
        return api.patch(path, body, options);
      },
    });
    const adapter = new OutlookContactAdapter({ api: racing, isLabel, folders: s.adapter.folders });
    const updated = await adapter.update(s.h.user, created.id, { ...created.projection, title: 'CFO' });
    expect(ifMatches).toHaveLength(2);
    expect(ifMatches[0]).toBe(`W/"${created.version}"`);
    expect(ifMatches[1]).not.toBe(ifMatches[0]);
    expect(updated.projection.title).toBe('CFO');
    const held = s.h.fake.control.contacts
      .contactsIn(s.h.user.entraId, OUTLOOK_CONTACT_FOLDER_NAME)
      .find((c) => c.id === created.id)!;
    expect(held.categories).toEqual(['客户', 'Red category']);
  });

  test('every body sent fits microsoft.graph.contact and microsoft.graph.contactFolder', async () => {
    const created = await s.adapter.create(s.h.user, card(), 'origin-4');
    await s.adapter.update(s.h.user, created.id, {
      ...created.projection,
      email: '',
      address: '',
      labels: [],
    });
    const model = loadCsdl();
    const bodies = s.contactRequests().filter((r) => r.method === 'POST' || r.method === 'PATCH');
    expect(bodies.length).toBe(3);
    for (const r of bodies) {
      const type = /contactFolders$/.test(r.path)
        ? 'microsoft.graph.contactFolder'
        : 'microsoft.graph.contact';
      expect(checkInstance(model, type, r.body)).toEqual([]);
    }
  });

  test('a contact folder the person deleted is made again; the old cursor has expired', async () => {
    await s.adapter.create(s.h.user, card(), 'origin-5');
    const baseline = await drain({ adapter: s.adapter, user: s.h.user, folder: 'dingtalk' }, undefined);
    const folderId = await s.adapter.folders.folderId(s.h.user);
    await s.h.connector.api.delete(`/users/${s.h.user.entraId}/contactFolders/${folderId}`);
    await expect(s.adapter.listChanges(s.h.user, 'dingtalk', baseline.cursor)).rejects.toBeInstanceOf(
      CursorExpiredError,
    );
    const fresh = await drain({ adapter: s.adapter, user: s.h.user, folder: 'dingtalk' }, undefined);
    expect(fresh.fullListing).toBe(true);
    expect(items(fresh.changes)).toEqual([]);
    expect(await s.adapter.folders.folderId(s.h.user)).not.toBe(folderId);
  });

  test('a create into a folder deleted since it was looked up makes the folder again', async () => {
    await s.adapter.create(s.h.user, card(), 'origin-6');
    const folderId = await s.adapter.folders.folderId(s.h.user);
    await s.h.connector.api.delete(`/users/${s.h.user.entraId}/contactFolders/${folderId}`);
    const created = await s.adapter.create(s.h.user, card({ name: '王五' }), 'origin-7');
    const folders = s.h.fake.control.contacts.contactFolders(s.h.user.entraId);
    expect(folders.map((f) => f.displayName)).toEqual(['Contacts', OUTLOOK_CONTACT_FOLDER_NAME]);
    expect(folders[1]!.id).not.toBe(folderId);
    expect((await s.adapter.get(s.h.user, created.id))?.projection.name).toBe('王五');
  });

  test('another folder than the product’s own is refused', async () => {
    await expect(s.adapter.listChanges(s.h.user, 'contacts', undefined)).rejects.toBeInstanceOf(
      PermanentRemoteError,
    );
  });
});
