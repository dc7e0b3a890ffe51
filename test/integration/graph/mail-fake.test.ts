import { simpleParser } from 'mailparser';
import {
  IMMUTABLE,
  MESSAGE,
  sampleMime,
  schemaProblems,
  startMailTest,
  type MailTest,
} from './mail-fake-support';

/** The fake's mail folders and messages over raw HTTPS: Exchange's import rules, limits, MIME and attachments. */

let t: MailTest;

beforeEach(async () => {
  t = await startMailTest();
});
afterEach(() => t.h.stop());

const STAMP = 'String {6c1c6e1f-0000-4000-8000-000000000001} Name DingTalkId';
const imported = (extra: Record<string, unknown> = {}, props: { id: string; value: string }[] = []) => ({
  subject: 'Quarterly report',
  body: { contentType: 'html', content: '<p>Hello <b>Li</b></p>' },
  from: { emailAddress: { name: 'Zhang San', address: 'zhang.san@dingtalk.example' } },
  sender: { emailAddress: { name: 'Zhang San', address: 'zhang.san@dingtalk.example' } },
  toRecipients: [{ emailAddress: { name: 'Li Wei', address: 'li.wei@contoso.example' } }],
  internetMessageId: '<q4-report@dingtalk.example>',
  singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '1' }, ...props],
  ...extra,
});

describe('mail folders', () => {
  test('well-known names resolve to real ids with counts; the list shows the same folders', async () => {
    const inbox = await t.call('/mailFolders/inbox');
    expect(inbox.status).toBe(200);
    expect(inbox.body).toMatchObject({ displayName: 'Inbox', totalItemCount: 0, unreadItemCount: 0 });
    expect(inbox.body.id).toMatch(/^AAMkAD/);
    expect(schemaProblems('microsoft.graph.mailFolder', inbox.body)).toEqual([]);
    expect((await t.call(`/mailFolders/${inbox.body.id}`)).body.displayName).toBe('Inbox');
    expect((await t.call("/mailFolders('SentItems')")).body.displayName).toBe('Sent Items');
    const list = await t.call('/mailFolders');
    expect(list.body.value.map((f: { displayName: string }) => f.displayName)).toEqual(
      expect.arrayContaining(['Inbox', 'Drafts', 'Sent Items', 'Deleted Items', 'Archive', 'Junk Email']),
    );
    expect((await t.call('/mailFolders/nosuchfolder')).body.error.code).toBe('ErrorItemNotFound');

    await t.h.fake.control.deliverMail(t.h.user.entraId, 'inbox', sampleMime('One', '<one@x>'));
    await t.h.fake.control.deliverMail(t.h.user.entraId, 'inbox', sampleMime('Two', '<two@x>'), {
      isRead: true,
    });
    expect((await t.call('/mailFolders/inbox')).body).toMatchObject({
      totalItemCount: 2,
      unreadItemCount: 1,
    });
  });
});

describe('creating messages', () => {
  test('without PR_MESSAGE_FLAGS a created message is a draft; POST /messages lands in Drafts', async () => {
    const draft = await t.call('/messages', {
      method: 'POST',
      body: { subject: 'Draft', toRecipients: [{ emailAddress: { address: 'a@b.example' } }] },
    });
    expect(draft.status).toBe(201);
    expect(draft.body.isDraft).toBe(true);
    expect(draft.body.isRead).toBe(true);
    expect(draft.body.parentFolderId).toBe((await t.call('/mailFolders/drafts')).body.id);
    expect(schemaProblems(MESSAGE, draft.body)).toEqual([]);
  });

  test('Integer 0x0E07 without the unsent bit makes a received message; with 0x8 it stays a draft', async () => {
    const received = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported(),
      prefer: IMMUTABLE,
    });
    expect(received.status).toBe(201);
    expect(received.body).toMatchObject({ isDraft: false, isRead: true, subject: 'Quarterly report' });
    expect(received.body['@odata.etag']).toBe(`W/"${received.body.changeKey}"`);
    expect(schemaProblems(MESSAGE, received.body)).toEqual([]);
    const unsent = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: {
        ...imported(),
        singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: String(0x1 | 0x8) }],
      },
    });
    expect(unsent.body.isDraft).toBe(true);
  });

  test('isRead is honoured; without it the read bit of the flags decides', async () => {
    const unread = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({ isRead: false }),
    });
    expect(unread.body).toMatchObject({ isDraft: false, isRead: false });
    const flagsOnly = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: { ...imported(), singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '0' }] },
    });
    expect(flagsOnly.body).toMatchObject({ isDraft: false, isRead: false });
  });

  test('receivedDateTime/sentDateTime in the body are ignored; SystemTime 0x0E06 and 0x0039 set them', async () => {
    const ignored = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({ receivedDateTime: '2020-01-01T00:00:00Z', sentDateTime: '2020-01-01T00:00:00Z' }),
    });
    expect(ignored.body.receivedDateTime).toBe('2026-11-22T08:00:00Z');
    expect(ignored.body.sentDateTime).toBe('2026-11-22T08:00:00Z');
    const dated = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({}, [
        { id: 'SystemTime 0x0E06', value: '2026-11-20T01:31:00Z' },
        { id: 'SystemTime 0x0039', value: '2026-11-20T01:30:00Z' },
      ]),
    });
    expect(dated.body.receivedDateTime).toBe('2026-11-20T01:31:00Z');
    expect(dated.body.sentDateTime).toBe('2026-11-20T01:30:00Z');
  });

  test('only x- internet message headers are accepted, and they read back when selected', async () => {
    const refused = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({ internetMessageHeaders: [{ name: 'Received', value: 'by me' }] }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('InvalidInternetMessageHeader');
    const ok = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({ internetMessageHeaders: [{ name: 'X-DingTalk-Id', value: 'dt-1' }] }),
    });
    expect(ok.body.internetMessageHeaders).toBeUndefined();
    const read = await t.call(`/messages/${ok.body.id}?$select=subject,internetMessageHeaders`);
    expect(read.body.internetMessageHeaders).toEqual([{ name: 'X-DingTalk-Id', value: 'dt-1' }]);
    expect(Object.keys(read.body).sort()).toEqual([
      '@odata.context',
      '@odata.etag',
      'id',
      'internetMessageHeaders',
      'subject',
    ]);
  });

  test('unknown properties are refused like Graph does', async () => {
    const res = await t.call('/messages', { method: 'POST', body: { subjekt: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('RequestBodyRead');
  });

  test('a request over 4 MB is 413 with Graph error shape; just under passes', async () => {
    const big = 'a'.repeat(4 * 1024 * 1024);
    const res = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({ body: { contentType: 'text', content: big } }),
    });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'BadRequest',
      message: 'The maximum request length supported is 4MB.',
    });
    expect(res.body.error.innerError['request-id']).toEqual(expect.any(String));
    const fits = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({ body: { contentType: 'text', content: 'a'.repeat(4 * 1024 * 1024 - 2000) } }),
    });
    expect(fits.status).toBe(201);
  });
});

describe('reading and finding messages', () => {
  test('extended-property filter finds the stamped message; expand reads the stamp and the MAPI flags back', async () => {
    await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({}, [{ id: STAMP, value: 'other' }]),
    });
    const stamped = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({ subject: 'Stamped' }, [{ id: STAMP, value: 'DT-42' }]),
    });
    const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${STAMP}' and ep/value eq 'dt-42')`;
    const expand = `singleValueExtendedProperties($filter=id eq '${STAMP}' or id eq 'Integer 0x0E07')`;
    const found = await t.call(
      `/messages?$filter=${encodeURIComponent(filter)}&$expand=${encodeURIComponent(expand)}&$select=subject`,
    );
    expect(found.status).toBe(200);
    expect(found.body.value).toHaveLength(1);
    expect(found.body.value[0].id).toBe(stamped.body.id);
    expect(found.body.value[0].singleValueExtendedProperties).toEqual(
      expect.arrayContaining([
        { id: STAMP, value: 'DT-42' },
        { id: 'Integer 0xe07', value: '1' },
      ]),
    );
    expect(schemaProblems(`Collection(${MESSAGE})`, found.body.value)).toEqual([]);
  });

  test('internetMessageId and receivedDateTime filters, $orderby desc, $top and nextLink paging', async () => {
    const days = ['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21'];
    for (const [i, day] of days.entries()) {
      await t.call('/mailFolders/inbox/messages', {
        method: 'POST',
        body: imported({ subject: `M${i}`, internetMessageId: `<m${i}@x>` }, [
          { id: 'SystemTime 0x0E06', value: `${day}T08:00:00Z` },
        ]),
      });
    }
    const byId = await t.call(`/messages?$filter=${encodeURIComponent("internetMessageId eq '<m2@x>'")}`);
    expect(byId.body.value.map((m: { subject: string }) => m.subject)).toEqual(['M2']);
    const first = await t.call(
      `/mailFolders/inbox/messages?$filter=${encodeURIComponent('receivedDateTime ge 2026-11-19T00:00:00Z')}&$orderby=receivedDateTime desc&$top=2&$select=subject,receivedDateTime`,
    );
    expect(first.body.value.map((m: { subject: string }) => m.subject)).toEqual(['M3', 'M2']);
    const second = await t.call(first.body['@odata.nextLink']);
    expect(second.body.value.map((m: { subject: string }) => m.subject)).toEqual(['M1']);
    expect(second.body['@odata.nextLink']).toBeUndefined();
    expect((await t.call(`/messages?$filter=${encodeURIComponent('subject eq 1')}`)).status).toBe(400);
  });
});

describe('MIME content ($value)', () => {
  test('delivered MIME comes back byte for byte and parses into the message Graph shows', async () => {
    const raw = sampleMime('Delivered', '<delivered-1@dingtalk.example>');
    const delivered = await t.h.fake.control.deliverMail(t.h.user.entraId, 'inbox', raw, {
      receivedAt: '2026-11-20T01:31:00Z',
      flagged: true,
    });
    const value = await t.call(`/messages/${delivered.id}/$value`);
    expect(value.status).toBe(200);
    expect(value.bytes.equals(raw)).toBe(true);
    const msg = await t.call(`/messages/${delivered.id}?$expand=attachments`);
    expect(msg.body).toMatchObject({
      subject: 'Delivered',
      isDraft: false,
      isRead: false,
      hasAttachments: true,
      internetMessageId: '<delivered-1@dingtalk.example>',
      receivedDateTime: '2026-11-20T01:31:00Z',
      sentDateTime: '2026-11-20T01:30:00Z',
      flag: { flagStatus: 'flagged' },
      from: { emailAddress: { name: 'Zhang San', address: 'zhang.san@dingtalk.example' } },
    });
    expect(msg.body.attachments[0]).toMatchObject({
      name: 'report.pdf',
      contentType: 'application/pdf',
      isInline: false,
    });
    expect(Buffer.from(msg.body.attachments[0].contentBytes, 'base64').toString()).toBe('%PDF-1.4 fake');
    // The checker reads each attachment as its derived type (@odata.type fileAttachment).
    const { attachments, ...rest } = msg.body;
    expect(schemaProblems(MESSAGE, rest)).toEqual([]);
    expect(schemaProblems('Collection(microsoft.graph.fileAttachment)', attachments)).toEqual([]);
  });

  test('a JSON-created message has valid MIME with its Message-ID, body and attachments', async () => {
    const created = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      body: imported({
        ccRecipients: [{ emailAddress: { name: 'Wang Wu', address: 'wang.wu@contoso.example' } }],
        internetMessageHeaders: [{ name: 'X-DingTalk-Id', value: 'dt-9' }],
        attachments: [
          {
            '@odata.type': '#microsoft.graph.fileAttachment',
            name: 'notes.txt',
            contentType: 'text/plain',
            contentBytes: Buffer.from('line one').toString('base64'),
          },
          {
            '@odata.type': '#microsoft.graph.fileAttachment',
            name: 'logo.png',
            contentType: 'image/png',
            contentBytes: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'),
            isInline: true,
            contentId: 'logo@dt',
          },
        ],
      }),
    });
    expect(created.body.hasAttachments).toBe(true);
    const value = await t.call(`/messages/${created.body.id}/$value`);
    const parsed = await simpleParser(value.bytes);
    expect(parsed.messageId).toBe('<q4-report@dingtalk.example>');
    expect(parsed.subject).toBe('Quarterly report');
    expect(parsed.html).toContain('<b>Li</b>');
    expect(parsed.from?.value[0].address).toBe('zhang.san@dingtalk.example');
    expect(parsed.headers.get('x-dingtalk-id')).toBe('dt-9');
    const cc = parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.value[0].address : undefined;
    expect(cc).toBe('wang.wu@contoso.example');
    const byName = new Map(parsed.attachments.map((a) => [a.filename, a]));
    expect(byName.get('notes.txt')?.content.toString()).toBe('line one');
    expect(byName.get('logo.png')?.content.length).toBe(4);
    expect(byName.get('logo.png')?.contentId).toBe('<logo@dt>');
    // Stable while the message does not change.
    expect((await t.call(`/messages/${created.body.id}/$value`)).bytes.equals(value.bytes)).toBe(true);
  });
});

describe('updates, moves and deletes', () => {
  test('isRead, flag, categories and importance change a non-draft; content fields do not', async () => {
    const m = (await t.call('/mailFolders/inbox/messages', { method: 'POST', body: imported() })).body;
    const patched = await t.call(`/messages/${m.id}`, {
      method: 'PATCH',
      body: { isRead: false, flag: { flagStatus: 'flagged' }, categories: ['Red'], importance: 'high' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      isRead: false,
      flag: { flagStatus: 'flagged' },
      categories: ['Red'],
      importance: 'high',
    });
    expect(patched.body.changeKey).not.toBe(m.changeKey);
    const content = await t.call(`/messages/${m.id}`, { method: 'PATCH', body: { subject: 'Rewritten' } });
    expect(content.status).toBe(400);
    expect(content.body.error).toMatchObject({
      code: 'ErrorInvalidPropertySet',
      message: 'Message is not draft.',
    });
    const draft = (await t.call('/messages', { method: 'POST', body: { subject: 'D' } })).body;
    expect(
      (await t.call(`/messages/${draft.id}`, { method: 'PATCH', body: { subject: 'D2' } })).body.subject,
    ).toBe('D2');
  });

  test('If-Match: the current etag passes, a stale one is 412 ErrorIrresolvableConflict', async () => {
    const m = (await t.call('/mailFolders/inbox/messages', { method: 'POST', body: imported() })).body;
    const ok = await t.call(`/messages/${m.id}`, {
      method: 'PATCH',
      body: { isRead: false },
      ifMatch: m['@odata.etag'],
    });
    expect(ok.status).toBe(200);
    const stale = await t.call(`/messages/${m.id}`, {
      method: 'PATCH',
      body: { isRead: true },
      ifMatch: m['@odata.etag'],
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('ErrorIrresolvableConflict');
    expect((await t.call(`/messages/${m.id}`, { method: 'DELETE', ifMatch: m['@odata.etag'] })).status).toBe(
      412,
    );
    expect(
      (await t.call(`/messages/${m.id}`, { method: 'DELETE', ifMatch: ok.body['@odata.etag'] })).status,
    ).toBe(204);
    expect((await t.call(`/messages/${m.id}`)).status).toBe(404);
  });

  test('move gives a new regular id (the old one is gone) and keeps the immutable id', async () => {
    const m = (await t.call('/mailFolders/inbox/messages', { method: 'POST', body: imported() })).body;
    const immutable = (await t.call(`/messages/${m.id}`, { prefer: IMMUTABLE })).body.id;
    const moved = await t.call(`/messages/${m.id}/move`, {
      method: 'POST',
      body: { destinationId: 'archive' },
    });
    expect(moved.status).toBe(201);
    expect(moved.body.id).not.toBe(m.id);
    expect(moved.body.parentFolderId).toBe((await t.call('/mailFolders/archive')).body.id);
    expect((await t.call(`/messages/${m.id}`)).status).toBe(404);
    expect((await t.call(`/messages/${immutable}`, { prefer: IMMUTABLE })).body.id).toBe(immutable);
    expect(t.h.fake.control.mailMessages(t.h.user.entraId, 'archive')).toHaveLength(1);
    expect(t.h.fake.control.mailMessages(t.h.user.entraId, 'inbox')).toHaveLength(0);
  });
});

describe('attachments', () => {
  test('POST …/attachments adds a file attachment (default: also on a non-draft); refusal is configurable', async () => {
    const m = (await t.call('/mailFolders/inbox/messages', { method: 'POST', body: imported() })).body;
    const file = {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: 'a.txt',
      contentType: 'text/plain',
      contentBytes: Buffer.from('hello').toString('base64'),
    };
    const added = await t.call(`/messages/${m.id}/attachments`, { method: 'POST', body: file });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: 'a.txt', size: 5, isInline: false });
    expect(schemaProblems('microsoft.graph.fileAttachment', added.body)).toEqual([]);
    const list = await t.call(`/messages/${m.id}/attachments`);
    expect(list.body.value).toHaveLength(1);
    t.h.fake.control.setMailAttachmentsOnNonDraft('reject');
    const refused = await t.call(`/messages/${m.id}/attachments`, { method: 'POST', body: file });
    expect(refused.status).toBe(400);
    const draft = (await t.call('/messages', { method: 'POST', body: { subject: 'D' } })).body;
    expect((await t.call(`/messages/${draft.id}/attachments`, { method: 'POST', body: file })).status).toBe(
      201,
    );
  });

  test('an attachment near 3 MB pushes the request over 4 MB: 413', async () => {
    const m = (await t.call('/messages', { method: 'POST', body: { subject: 'D' } })).body;
    const res = await t.call(`/messages/${m.id}/attachments`, {
      method: 'POST',
      body: {
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: 'big.bin',
        contentBytes: Buffer.alloc(3 * 1024 * 1024 + 16).toString('base64'),
      },
    });
    expect(res.status).toBe(413);
  });

  test('an upload session takes sequential ranges without Authorization and ends with 201 + Location', async () => {
    const m = (await t.call('/mailFolders/inbox/messages', { method: 'POST', body: imported() })).body;
    const size = 3 * 1024 * 1024 + 100;
    const content = Buffer.alloc(size, 7);
    expect(
      (
        await t.call(`/messages/${m.id}/attachments/createUploadSession`, {
          method: 'POST',
          body: { AttachmentItem: { attachmentType: 'file', name: 'small.bin', size: 1000 } },
        })
      ).body.error.code,
    ).toBe('ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
    const session = await t.call(`/messages/${m.id}/attachments/createUploadSession`, {
      method: 'POST',
      body: {
        AttachmentItem: { attachmentType: 'file', name: 'big.bin', size, contentType: 'application/zip' },
      },
    });
    expect(session.status).toBe(201);
    expect(session.body.nextExpectedRanges).toEqual(['0-']);
    const { '@odata.context': _context, ...sessionBody } = session.body;
    expect(schemaProblems('microsoft.graph.uploadSession', sessionBody)).toEqual([]);
    const put = (start: number, end: number, auth = false) =>
      fetch(session.body.uploadUrl, {
        method: 'PUT',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `bytes ${start}-${end}/${size}`,
          ...(auth ? { authorization: 'Bearer x' } : {}),
        },
        body: content.subarray(start, end + 1),
      });
    expect((await put(0, 99, true)).status).toBe(401);
    const chunk = 2 * 1024 * 1024;
    const first = await put(0, chunk - 1);
    expect(first.status).toBe(200);
    expect(((await first.json()) as { nextExpectedRanges: string[] }).nextExpectedRanges).toEqual([
      `${chunk}-`,
    ]);
    expect((await put(chunk + 10, size - 1)).status).toBe(416);
    const last = await put(chunk, size - 1);
    expect(last.status).toBe(201);
    expect(last.headers.get('location')).toMatch(/\/attachments\//);
    const list = await t.call(`/messages/${m.id}/attachments`);
    expect(list.body.value[0]).toMatchObject({ name: 'big.bin', size, contentType: 'application/zip' });
    expect(Buffer.from(list.body.value[0].contentBytes, 'base64').equals(content)).toBe(true);
  });
});

describe('faults and limits on mail routes', () => {
  test('injected 429 with Retry-After and 503 answer mail requests with Graph errors', async () => {
    t.h.fake.control.addFault({ path: '/messages', status: 429, retryAfterSeconds: 7, count: 1 });
    const throttled = await t.call('/messages');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(throttled.body.error.code).toBe('TooManyRequests');
    t.h.fake.control.addFault({ path: '/mailFolders', method: 'GET', status: 503, count: 1 });
    expect((await t.call('/mailFolders/inbox')).status).toBe(503);
    expect((await t.call('/mailFolders/inbox')).status).toBe(200);
  });

  test('more than 4 concurrent requests on one mailbox get 429 MailboxConcurrency', async () => {
    t.h.fake.control.addFault({ path: '/mailFolders/inbox/messages', latencyMs: 200, count: 6 });
    const results = await Promise.all(Array.from({ length: 6 }, () => t.call('/mailFolders/inbox/messages')));
    const throttled = results.filter((r) => r.status === 429);
    expect(throttled.length).toBe(2);
    expect(throttled[0].body.error.code).toBe('ApplicationThrottled');
  });
});
