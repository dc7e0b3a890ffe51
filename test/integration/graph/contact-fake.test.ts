import { startNotificationReceiver } from '../../support/graph/notification-receiver';
import type { Loose } from '../../support/graph/loose';
import { IMMUTABLE, schemaProblems, startMailTest, type MailTest } from './mail-fake-support';

/** The fake's Outlook contacts over raw HTTPS: folders, contacts, delta, If-Match, photos, permissions, notifications. */

let t: MailTest;
beforeEach(async () => {
  t = await startMailTest();
});
afterEach(() => t.h.stop());

const CONTACT = 'microsoft.graph.contact';
const FOLDER = 'microsoft.graph.contactFolder';
const STAMP = 'String {6c1c6e1f-0000-4000-8000-000000000002} Name DingTalkExtContactId';
const FOLDER_NAME = 'DingTalk 外部联系人';

const zhang = (extra: Record<string, unknown> = {}) => ({
  givenName: '三',
  surname: '张',
  displayName: '张三',
  companyName: '钉钉科技',
  jobTitle: '采购经理',
  department: '采购部',
  emailAddresses: [{ name: '张三', address: 'zhang.san@supplier.example' }],
  businessPhones: ['+86 10 8888 8888'],
  mobilePhone: '+86 130 0000 8888',
  homePhones: [],
  businessAddress: { street: '望京东路 1 号', city: '北京', countryOrRegion: 'China', postalCode: '100102' },
  personalNotes: '技术负责人',
  categories: ['客户'],
  singleValueExtendedProperties: [{ id: STAMP, value: 'ext-0001' }],
  ...extra,
});

async function newFolder(name = FOLDER_NAME): Promise<string> {
  const res = await t.call('/contactFolders', { method: 'POST', body: { displayName: name } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function newContact(folderId: string, body: Record<string, unknown> = zhang()): Promise<Loose> {
  const res = await t.call(`/contactFolders/${folderId}/contacts`, {
    method: 'POST',
    body,
    prefer: IMMUTABLE,
  });
  expect(res.status).toBe(201);
  return res.body;
}

describe('contact folders', () => {
  test('a folder is created under the default Contacts folder, listed, found by name, renamed and deleted', async () => {
    const created = await t.call('/contactFolders', { method: 'POST', body: { displayName: FOLDER_NAME } });
    expect(created.status).toBe(201);
    expect(schemaProblems(FOLDER, created.body)).toEqual([]);
    const defaultId = t.h.fake.control.contacts.contactFolders(t.h.user.entraId)[0]!.id;
    expect(created.body).toMatchObject({ displayName: FOLDER_NAME, parentFolderId: defaultId });

    const list = await t.call('/contactFolders');
    expect(list.body.value.map((f: Loose) => f.displayName)).toEqual([FOLDER_NAME]);
    expect(schemaProblems(`Collection(${FOLDER})`, list.body.value)).toEqual([]);
    const found = await t.call(
      `/contactFolders?$filter=${encodeURIComponent(`displayName eq '${FOLDER_NAME}'`)}`,
    );
    expect(found.body.value).toHaveLength(1);
    expect((await t.call(`/contactFolders('${created.body.id}')`)).body.id).toBe(created.body.id);

    const renamed = await t.call(`/contactFolders/${created.body.id}`, {
      method: 'PATCH',
      body: { displayName: 'DingTalk 同事' },
    });
    expect(renamed.body.displayName).toBe('DingTalk 同事');
    expect((await t.call(`/contactFolders/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.call(`/contactFolders/${created.body.id}`)).body.error.code).toBe('ErrorItemNotFound');
    expect((await t.call(`/contactFolders/${defaultId}`, { method: 'DELETE' })).status).toBe(400);
  });

  test('a second folder of the same name (in any case) is refused, by create and by rename', async () => {
    const first = await newFolder();
    const again = await t.call('/contactFolders', {
      method: 'POST',
      body: { displayName: 'dingtalk 外部联系人' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'ErrorFolderExists',
      message: 'A folder with the specified name already exists.',
    });
    const other = await newFolder('DingTalk 同事');
    const rename = await t.call(`/contactFolders/${other}`, {
      method: 'PATCH',
      body: { displayName: FOLDER_NAME },
    });
    expect(rename.status).toBe(409);
    // Renaming a folder to its own name is no conflict.
    expect(
      (await t.call(`/contactFolders/${first}`, { method: 'PATCH', body: { displayName: FOLDER_NAME } }))
        .status,
    ).toBe(200);
    const empty = await t.call('/contactFolders', { method: 'POST', body: { displayName: ' ' } });
    expect(empty.status).toBe(400);
  });
});

describe('contacts', () => {
  test('create, read back with $select and the stamp, find by stamp and by e-mail; fields as the CSDL types them', async () => {
    const folder = await newFolder();
    const created = await newContact(folder);
    expect(schemaProblems(CONTACT, created)).toEqual([]);
    expect(created).toMatchObject({
      displayName: '张三',
      companyName: '钉钉科技',
      parentFolderId: folder,
      emailAddresses: [{ name: '张三', address: 'zhang.san@supplier.example' }],
      businessAddress: { city: '北京' },
      homeAddress: {},
      middleName: null,
    });
    expect(created['@odata.etag']).toBe(`W/"${created.changeKey}"`);
    expect(created.singleValueExtendedProperties).toBeUndefined();

    const selected = await t.call(`/contacts/${created.id}?$select=displayName,companyName`, {
      prefer: IMMUTABLE,
    });
    expect(Object.keys(selected.body).sort()).toEqual(
      ['@odata.context', '@odata.etag', 'companyName', 'displayName', 'id'].sort(),
    );
    const expanded = await t.call(
      `/contactFolders/${folder}/contacts/${created.id}?$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${STAMP}')`)}`,
    );
    expect(expanded.body.singleValueExtendedProperties).toEqual([{ id: STAMP, value: 'ext-0001' }]);
    expect(schemaProblems(CONTACT, expanded.body)).toEqual([]);

    await newContact(
      folder,
      zhang({ displayName: '李四', emailAddresses: [], singleValueExtendedProperties: [] }),
    );
    const byStamp = await t.call(
      `/contactFolders/${folder}/contacts?$filter=${encodeURIComponent(`singleValueExtendedProperties/any(ep: ep/id eq '${STAMP}' and ep/value eq 'EXT-0001')`)}`,
    );
    expect(byStamp.body.value.map((c: Loose) => c.displayName)).toEqual(['张三']);
    const byMail = await t.call(
      `/contactFolders/${folder}/contacts?$filter=${encodeURIComponent("emailAddresses/any(a:a/address eq 'Zhang.San@Supplier.example')")}`,
    );
    expect(byMail.body.value).toHaveLength(1);
    const byName = await t.call(
      `/contactFolders/${folder}/contacts?$filter=${encodeURIComponent("displayName eq '李四' and companyName eq '钉钉科技'")}`,
    );
    expect(byName.body.value.map((c: Loose) => c.displayName)).toEqual(['李四']);
  });

  test('unknown properties, wrong types and bad queries are refused as Graph refuses them', async () => {
    const folder = await newFolder();
    const unknown = await t.call(`/contactFolders/${folder}/contacts`, {
      method: 'POST',
      body: { nickname: 'x' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('RequestBodyRead');
    const wrong = await t.call(`/contactFolders/${folder}/contacts`, {
      method: 'POST',
      body: { emailAddresses: [{ address: 'a@b.example', type: 'work' }] },
    });
    expect(wrong.body.error.code).toBe('RequestBodyRead');
    const phones = await t.call(`/contactFolders/${folder}/contacts`, {
      method: 'POST',
      body: { businessPhones: '1' },
    });
    expect(phones.status).toBe(400);
    expect((await t.call(`/contactFolders/${folder}/contacts?$select=nope`)).status).toBe(400);
    expect((await t.call(`/contactFolders/${folder}/contacts?$filter=birthday eq null`)).status).toBe(400);
    expect((await t.call(`/contactFolders/${folder}/contacts?$top=0`)).status).toBe(400);
  });

  test('listing pages with $top and an absolute nextLink that keeps the query', async () => {
    const folder = await newFolder();
    for (let i = 0; i < 5; i++) await newContact(folder, { displayName: `c${i}` });
    const names: string[] = [];
    let url: string | undefined = `/contactFolders/${folder}/contacts?$top=2&$select=displayName`;
    let pages = 0;
    while (url) {
      const page: Loose = await t.call(url);
      expect(page.status).toBe(200);
      names.push(...page.body.value.map((c: Loose) => c.displayName));
      url = page.body['@odata.nextLink'];
      if (url) expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/.*\$select=displayName/);
      pages++;
    }
    expect(names).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(pages).toBe(3);
  });

  test('If-Match: a stale change key gets 412 on PATCH and DELETE; the current one (or *) goes through', async () => {
    const folder = await newFolder();
    const created = await newContact(folder);
    const path = `/contactFolders/${folder}/contacts/${created.id}`;
    const first = await t.call(path, {
      method: 'PATCH',
      body: { jobTitle: '总监' },
      ifMatch: created['@odata.etag'],
    });
    expect(first.status).toBe(200);
    expect(first.body.jobTitle).toBe('总监');
    expect(first.body.changeKey).not.toBe(created.changeKey);
    const stale = await t.call(path, {
      method: 'PATCH',
      body: { jobTitle: 'x' },
      ifMatch: created['@odata.etag'],
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('ErrorIrresolvableConflict');
    expect((await t.call(path, { method: 'DELETE', ifMatch: created['@odata.etag'] })).status).toBe(412);
    expect(
      (await t.call(path, { method: 'PATCH', body: { personalNotes: null }, ifMatch: '*' })).body
        .personalNotes,
    ).toBe(null);
    expect(
      (await t.call(path, { method: 'DELETE', ifMatch: `"${(await t.call(path)).body.changeKey}"` })).status,
    ).toBe(204);
  });
});

describe('contacts delta', () => {
  test('a round pages by maxpagesize, then a delta link returns changes and @removed; expiry is a 410 with Location', async () => {
    const folder = await newFolder();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await newContact(folder, { displayName: `d${i}` })).id);
    t.h.fake.control.contacts.userCreatesContact(t.h.user.entraId, 'contacts', { displayName: 'Mum' });

    const seen: string[] = [];
    let url: string = `/contactFolders/${folder}/contacts/delta?$select=displayName`;
    let deltaLink: string | undefined;
    while (!deltaLink) {
      const page: Loose = await t.call(url, { prefer: `odata.maxpagesize=2, ${IMMUTABLE}` });
      expect(page.status).toBe(200);
      expect(page.body['@odata.nextLink'] && page.body['@odata.deltaLink']).toBeFalsy();
      seen.push(...page.body.value.map((c: Loose) => c.displayName));
      expect(schemaProblems(`Collection(${CONTACT})`, page.body.value)).toEqual([]);
      url = page.body['@odata.nextLink'];
      deltaLink = page.body['@odata.deltaLink'];
    }
    expect(seen).toEqual(['d0', 'd1', 'd2']);

    await t.call(`/contacts/${ids[0]}`, { method: 'PATCH', body: { displayName: 'd0 changed' } });
    await t.call(`/contacts/${ids[1]}`, { method: 'DELETE' });
    t.h.fake.control.contacts.userCreatesContact(t.h.user.entraId, FOLDER_NAME, {
      displayName: 'added in Outlook',
    });
    t.h.fake.control.contacts.userCreatesContact(t.h.user.entraId, 'contacts', { displayName: 'Dad' });
    const next = await t.call(deltaLink, { prefer: IMMUTABLE });
    expect(next.body.value).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: ids[0], displayName: 'd0 changed' }),
        expect.objectContaining({ displayName: 'added in Outlook' }),
        { '@odata.type': '#microsoft.graph.contact', id: ids[1], '@removed': { reason: 'deleted' } },
      ]),
    );
    expect(next.body.value).toHaveLength(3);
    // $select of the first request is kept by the token.
    expect(Object.keys(next.body.value.find((c: Loose) => c.id === ids[0])).sort()).toEqual([
      '@odata.etag',
      '@odata.type',
      'displayName',
      'id',
    ]);
    const idle = await t.call(next.body['@odata.deltaLink']);
    expect(idle.body.value).toEqual([]);

    t.h.fake.control.expireDeltaTokens(t.h.user.entraId);
    const gone = await t.call(idle.body['@odata.deltaLink']);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('SyncStateNotFound');
    expect(gone.headers.get('location')).toMatch(/contacts\/delta\?\$deltatoken=$/);
    expect((await t.call(`/contactFolders/${folder}/contacts/delta?$filter=displayName eq 'x'`)).status).toBe(
      400,
    );
  });
});

describe('photos', () => {
  const jpeg = (size: number) =>
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(size - 4, 7)]);

  test('a JPEG up to 4 MB is stored and read back; other types, non-JPEG bytes and bigger bodies are refused', async () => {
    const folder = await newFolder();
    const c = await newContact(folder);
    const path = `/contactFolders/${folder}/contacts/${c.id}/photo/$value`;
    expect((await t.call(path)).status).toBe(404);
    const put = await t.call(path, {
      method: 'PUT',
      rawBody: jpeg(1000),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(put.status).toBe(200);
    const back = await t.call(`/contacts/${c.id}/photo/$value`);
    expect(back.headers.get('content-type')).toBe('image/jpeg');
    expect(back.bytes.equals(jpeg(1000))).toBe(true);
    expect(t.h.fake.control.contacts.contactPhoto(t.h.user.entraId, c.id)?.length).toBe(1000);

    const png = await t.call(path, {
      method: 'PUT',
      rawBody: jpeg(100),
      headers: { 'content-type': 'image/png' },
    });
    expect(png.status).toBe(400);
    const notJpeg = await t.call(path, {
      method: 'PUT',
      rawBody: Buffer.alloc(100),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(notJpeg.status).toBe(400);
    const max = await t.call(path, {
      method: 'PUT',
      rawBody: jpeg(4 * 1024 * 1024),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(max.status).toBe(200);
    const over = await t.call(path, {
      method: 'PUT',
      rawBody: jpeg(4 * 1024 * 1024 + 1),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(over.status).toBe(413);
  });
});

describe('permissions, faults and the person’s own contacts', () => {
  async function tokenFor(roles: string[]): Promise<string> {
    const clientId = `app-${roles.join('-') || 'none'}`;
    t.h.fake.control.registerApp({ clientId, clientSecret: 's3cret', roles });
    const res = await fetch(`${t.h.fake.url}/sandbox-tenant/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: 's3cret',
        scope: 'https://graph.microsoft.com/.default',
        grant_type: 'client_credentials',
      }).toString(),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  test('without Contacts.ReadWrite nothing is written; Contacts.Read reads; mail roles give no contacts', async () => {
    const folder = await newFolder();
    const reader = await tokenFor(['Contacts.Read']);
    const mailOnly = await tokenFor(['Mail.ReadWrite']);
    const as = (token: string, method = 'GET', body?: unknown) =>
      t.call(`/contactFolders/${folder}/contacts`, {
        method,
        body,
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await as(reader)).status).toBe(200);
    const write = await as(reader, 'POST', { displayName: 'x' });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('ErrorAccessDenied');
    expect((await as(mailOnly)).status).toBe(403);
  });

  test('injected faults answer contact calls like any other', async () => {
    t.h.fake.control.addFault({ path: '/contactFolders', status: 503, retryAfterSeconds: 2, count: 1 });
    const first = await t.call('/contactFolders');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('2');
    expect((await t.call('/contactFolders')).status).toBe(200);
  });

  test('folder-scoped calls never read or change the default Contacts folder', async () => {
    const user = t.h.user.entraId;
    const own = t.h.fake.control.contacts.userCreatesContact(user, 'contacts', {
      displayName: 'Mum',
      mobilePhone: '+86 139 0000 0000',
    });
    const folder = await newFolder();
    const c = await newContact(folder);
    await t.call(`/contactFolders/${folder}/contacts?$top=100`);
    await t.call(`/contactFolders/${folder}/contacts/${c.id}`, { method: 'PATCH', body: { jobTitle: 'x' } });
    await t.call(`/contactFolders/${folder}/contacts/delta`);
    // The person's contact is not reachable through the product's folder.
    expect((await t.call(`/contactFolders/${folder}/contacts/${own.id}`)).status).toBe(404);
    await t.call(`/contactFolders/${folder}/contacts/${c.id}`, { method: 'DELETE' });

    expect(t.h.fake.control.contacts.contactAccesses(user, 'contacts')).toEqual([]);
    expect(t.h.fake.control.contacts.contactsIn(user, 'contacts')).toEqual([own]);
    expect(t.h.fake.control.contacts.contactAccesses(user, folder).length).toBeGreaterThanOrEqual(5);

    // …while a call on /users/{id}/contacts does read it, and the log shows it.
    const defaults = await t.call('/contacts');
    expect(defaults.body.value.map((x: Loose) => x.displayName)).toEqual(['Mum']);
    expect(t.h.fake.control.contacts.contactAccesses(user, 'contacts')).toEqual([
      { folderId: own.parentFolderId, method: 'GET', path: `/users/${user}/contacts` },
    ]);
  });
});

describe('control API and notifications', () => {
  test('the person’s edits in Outlook are seen through the API and notified to a folder subscription only for its folder', async () => {
    const receiver = await startNotificationReceiver();
    try {
      const user = t.h.user.entraId;
      const folder = await newFolder();
      const expiry = new Date(t.h.clock.now() + 24 * 3600_000).toISOString();
      const sub = await t.call(`${t.h.fake.url}/v1.0/subscriptions`, {
        method: 'POST',
        prefer: IMMUTABLE,
        body: {
          changeType: 'created,updated,deleted',
          notificationUrl: receiver.url,
          resource: `users/${user}/contactFolders/${folder}/contacts`,
          expirationDateTime: expiry,
          clientState: 'contacts-state',
        },
      });
      expect(sub.body.error).toBeUndefined();
      expect(sub.status).toBe(201);

      const created = t.h.fake.control.contacts.userCreatesContact(user, folder, { displayName: 'Wang' });
      t.h.fake.control.contacts.userCreatesContact(user, 'contacts', { displayName: 'not heard' });
      const edited = t.h.fake.control.contacts.userEditsContact(user, created.id as string, {
        jobTitle: 'CEO',
      });
      expect(edited.changeKey).not.toBe(created.changeKey);
      expect(t.h.fake.control.contacts.userDeletesContact(user, created.id as string)).toBe(true);
      await receiver.waitFor((all) => all.length === 3);
      await t.h.fake.control.notificationsIdle();
      expect(receiver.received.map((n) => n.changeType)).toEqual(['created', 'updated', 'deleted']);
      expect(receiver.received[0]).toMatchObject({
        resource: `Users/${user}/Contacts/${created.id}`,
        clientState: 'contacts-state',
        resourceData: { '@odata.type': '#Microsoft.Graph.Contact', id: created.id },
      });
      expect(t.h.fake.control.contacts.contactsIn(user, folder)).toEqual([]);
      expect(t.h.fake.control.contacts.contactFolders(user).map((f) => f.displayName)).toEqual([
        'Contacts',
        FOLDER_NAME,
      ]);
      expect(() => t.h.fake.control.contacts.userCreatesContact(user, folder, { nickname: 1 })).toThrow(
        /RequestBodyRead/,
      );
    } finally {
      await receiver.stop();
    }
  });
});
