import iconv from 'iconv-lite';
import { ManualClock } from '../../../../shared/platform/clock';
import { GraphApi } from '../../../../shared/connectors/graph/http-client';
import { createGraphSdkClient } from '../../../../shared/connectors/graph/graph-client-factory';
import { OutlookMailAdapter, type MailImportReport } from '../../../../shared/connectors/graph/mail-adapter';
import { MailTransfer } from '../../../../shared/connectors/graph/mail-transfer';
import { MAIL_ORIGIN_KEY_PROPERTY_ID } from '../../../../shared/connectors/graph/mail-stamps';
import type { MailProjection } from '../../../../shared/sync/mail-message';
import {
  CursorExpiredError,
  isDeletion,
  TransientRemoteError,
  VersionConflictRemoteError,
  type ChangePage,
  type RemoteChange,
  type RemoteItem,
} from '../../../../shared/sync/types';
import { startGraphHarness, type GraphHarness } from '../../../support/graph/graph-harness';

/**
 * The Outlook mail adapter against the sandbox Graph over HTTPS: delta listing, echoes, the non-draft import and its
 * checks, the 4 MB rule and its fallbacks, conditional writes, soft delete and failure mapping.
 */

const NOW = Date.parse('2026-11-22T08:00:00Z');
const DAY = 86_400_000;
const CRLF = '\r\n';

let h: GraphHarness;
let owner: string;
let reports: MailImportReport[];

interface AdapterOptions {
  pageSize?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

function adapterWith(options: AdapterOptions = {}): OutlookMailAdapter {
  const client = createGraphSdkClient({ baseUrl: h.fake.url, authProvider: h.connector.tokenProvider });
  const noWait = { sleep: async () => undefined };
  const api = new GraphApi(client, { timeoutMs: options.timeoutMs, retryHooks: noWait });
  return new OutlookMailAdapter({
    api,
    transfer: new MailTransfer({ client, limiter: api.limiter, retryHooks: noWait, fetch: options.fetch }),
    clock: h.clock,
    pageSize: options.pageSize,
    onImportIssue: (_user, report) => reports.push(report),
  });
}

beforeEach(async () => {
  h = await startGraphHarness({ clock: new ManualClock(NOW) });
  owner = h.user.entraId;
  reports = [];
});
afterEach(() => h.stop());

const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

function mime(options: {
  subject?: string;
  /** The charset label of the Subject's encoded word (the fake's own MIME reader decodes gb2312 as GBK). */
  subjectCharset?: string;
  messageId?: string;
  date?: string;
  html?: string;
  attachments?: Array<{ name: string; content: Buffer; type?: string; cid?: string }>;
}): Buffer {
  const boundary = 'b-contract';
  const head = [
    'From: =?gb2312?B?' + iconv.encode('朱镕基', 'gb18030').toString('base64') + '?= <zhu@example.cn>',
    'To: Li Wei <li.wei@contoso.example>',
    `Subject: =?${options.subjectCharset ?? 'gb2312'}?B?${iconv
      .encode(options.subject ?? '测试 😀 €', options.subjectCharset ?? 'gb18030')
      .toString('base64')}?=`,
    `Date: ${options.date ?? 'Fri, 20 Nov 2026 09:30:00 +0800'}`,
    `Message-ID: ${options.messageId ?? '<m1@example.cn>'}`,
    'MIME-Version: 1.0',
  ];
  const html = options.html ?? '<p>正文 😀</p>';
  if (!options.attachments?.length) {
    return Buffer.from([...head, 'Content-Type: text/html; charset=utf-8', '', html, ''].join(CRLF), 'utf8');
  }
  const parts = [
    [...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', ''].join(CRLF),
    `--${boundary}${CRLF}Content-Type: text/html; charset=utf-8${CRLF}${CRLF}${html}${CRLF}`,
  ];
  for (const a of options.attachments) {
    const b64 = a.content.toString('base64').replace(/.{76}/g, `$&${CRLF}`);
    parts.push(
      `--${boundary}${CRLF}Content-Type: ${a.type ?? 'application/octet-stream'}; name="${a.name}"${CRLF}` +
        `Content-Disposition: ${a.cid ? 'inline' : 'attachment'}; filename="${a.name}"${CRLF}` +
        (a.cid ? `Content-ID: <${a.cid}>${CRLF}` : '') +
        `Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64}${CRLF}`,
    );
  }
  parts.push(`--${boundary}--${CRLF}`);
  return Buffer.from(parts.join(''), 'utf8');
}

function projectionOf(raw: Buffer, extra: Partial<MailProjection> = {}): MailProjection {
  return {
    seen: false,
    flagged: false,
    envelope: {
      messageId: '<m1@example.cn>',
      subject: '测试 😀 €',
      from: 'zhu@example.cn',
      sentAt: '2026-11-20T01:30:00Z',
      receivedAt: '2026-11-20T01:31:07Z',
    },
    content: { raw: async () => raw },
    ...extra,
  };
}

const bytes = (n: number, seed = 1) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

async function drain(adapter: OutlookMailAdapter, cursor?: string) {
  const pages: ChangePage<MailProjection>[] = [];
  let next = cursor;
  for (;;) {
    const page = await adapter.listChanges(h.user, 'inbox', next);
    pages.push(page);
    next = page.nextCursor;
    if (!page.more) break;
  }
  return { pages, cursor: next!, changes: pages.flatMap((p) => p.changes) };
}

const items = (changes: RemoteChange<MailProjection>[]) =>
  changes.filter((c): c is RemoteItem<MailProjection> => !isDeletion(c));

async function graphMessage(id: string): Promise<Record<string, unknown>> {
  return h.connector.api.get(
    `/users/${owner}/messages/${encodeURIComponent(id)}?$expand=${encodeURIComponent('singleValueExtendedProperties')}`,
  );
}

async function attachmentsOf(id: string): Promise<Array<Record<string, unknown>>> {
  const page = await h.connector.api.get<{ value: Array<Record<string, unknown>> }>(
    `/users/${owner}/messages/${encodeURIComponent(id)}/attachments`,
  );
  return page.value;
}

const posts = (pathPart: string) =>
  h.fake.control.requests.filter((r) => r.method === 'POST' && r.path.includes(pathPart));

describe('Outlook mail adapter (contract, sandbox Graph)', () => {
  test('first sync lists the inbox within the look-back window, drafts left out, with the projection', async () => {
    const raw = mime({ messageId: '<recent@x>', subjectCharset: 'utf-8' });
    const recent = await h.fake.control.deliverMail(owner, 'inbox', raw, {
      receivedAt: at(-10 * DAY),
      isRead: true,
      flagged: true,
    });
    await h.fake.control.deliverMail(owner, 'inbox', mime({ messageId: '<old@x>' }), {
      receivedAt: at(-40 * DAY),
    });
    // A draft saved in the inbox (no PidTagMessageFlags): not mail.
    await h.connector.api.post(`/users/${owner}/mailFolders/inbox/messages`, {
      subject: 'draft',
      body: { contentType: 'text', content: 'x' },
    });
    const adapter = adapterWith();
    const { pages, changes } = await drain(adapter);
    expect(pages[0].fullListing).toBe(true);
    const listed = items(changes);
    expect(listed.map((i) => i.id)).toEqual([recent.id]);
    const [item] = listed;
    expect(item.projection).toMatchObject({
      seen: true,
      flagged: true,
      envelope: {
        messageId: '<recent@x>',
        subject: '测试 😀 €',
        from: 'zhu@example.cn',
        sentAt: '2026-11-20T01:30:00Z',
        receivedAt: at(-10 * DAY),
      },
    });
    expect(item.version).toBeTruthy();
    expect(item.originKey).toBeUndefined();
    expect(item.matchKeys).toEqual(['mid:<recent@x>|2026-11-20T01:30']);
    const delta = h.fake.control.requests.find((r) => r.path.endsWith('/messages/delta'))!;
    expect(delta.query).toContain('$filter=receivedDateTime');
    expect(decodeURIComponent(delta.query)).toContain(`receivedDateTime ge ${at(-30 * DAY)}`);
    expect(delta.headers.prefer).toMatch(/odata\.maxpagesize=50/);
  });

  test('the raw MIME is the message byte for byte', async () => {
    const raw = mime({ attachments: [{ name: 'a.bin', content: bytes(1000) }] });
    await h.fake.control.deliverMail(owner, 'inbox', raw, { receivedAt: at(-DAY) });
    const [item] = items((await drain(adapterWith())).changes);
    const got = await item.projection.content!.raw();
    expect(got.equals(raw)).toBe(true);
  });

  test('paging: several pages, then a delta round that is not a full listing', async () => {
    for (let n = 0; n < 5; n++) {
      await h.fake.control.deliverMail(owner, 'inbox', mime({ messageId: `<p${n}@x>` }), {
        receivedAt: at(-(n + 1) * 3600_000),
      });
    }
    const adapter = adapterWith({ pageSize: 2 });
    const first = await drain(adapter);
    expect(first.pages.length).toBe(3);
    expect(first.pages.slice(0, -1).every((p) => p.more)).toBe(true);
    expect(first.pages.every((p) => p.fullListing)).toBe(true);
    expect(items(first.changes)).toHaveLength(5);
    const again = await drain(adapter, first.cursor);
    expect(again.pages[0].fullListing).toBe(false);
    expect(again.changes).toEqual([]);
  });

  test('read and flag changes made in Outlook come from delta with a new version', async () => {
    const m = await h.fake.control.deliverMail(owner, 'inbox', mime({}), { receivedAt: at(-DAY) });
    const adapter = adapterWith();
    const first = await drain(adapter);
    const before = items(first.changes)[0];
    h.fake.control.setMailRead(owner, m.id as string, true);
    h.fake.control.setMailFlag(owner, m.id as string, 'flagged');
    const next = await drain(adapter, first.cursor);
    const changed = items(next.changes);
    expect(changed).toHaveLength(1);
    expect(changed[0].projection).toMatchObject({ seen: true, flagged: true });
    expect(changed[0].version).not.toBe(before.version);
  });

  test('our own PATCH comes back in delta with the version the update returned (echo)', async () => {
    await h.fake.control.deliverMail(owner, 'inbox', mime({}), { receivedAt: at(-DAY) });
    const adapter = adapterWith();
    const first = await drain(adapter);
    const item = items(first.changes)[0];
    const updated = await adapter.update(h.user, item.id, { ...item.projection, seen: true }, item.version);
    expect(updated.projection.seen).toBe(true);
    const next = items((await drain(adapter, first.cursor)).changes);
    expect(next.map((c) => c.version)).toEqual([updated.version]);
  });

  test('a conditional update on a stale version is a conflict and changes nothing', async () => {
    const m = await h.fake.control.deliverMail(owner, 'inbox', mime({}), { receivedAt: at(-DAY) });
    const adapter = adapterWith();
    const item = items((await drain(adapter)).changes)[0];
    h.fake.control.setMailFlag(owner, m.id as string, 'flagged');
    await expect(
      adapter.update(h.user, item.id, { ...item.projection, seen: true }, item.version),
    ).rejects.toBeInstanceOf(VersionConflictRemoteError);
    expect((await adapter.get(h.user, item.id))!.projection).toMatchObject({ seen: false, flagged: true });
  });

  test('create: a non-draft with the source dates, read state, flag, stamp and threading headers', async () => {
    const adapter = adapterWith();
    const raw = Buffer.concat([
      Buffer.from(
        `In-Reply-To: <parent@example.cn>${CRLF}References: <root@example.cn> <parent@example.cn>${CRLF}`,
      ),
      mime({}),
    ]);
    const created = await adapter.create(h.user, projectionOf(raw, { flagged: true }), 'origin-1');
    expect(created.originKey).toBe('origin-1');
    expect(created.projection).toMatchObject({ seen: false, flagged: true });
    const m = await graphMessage(created.id);
    expect(m).toMatchObject({
      isDraft: false,
      isRead: false,
      receivedDateTime: '2026-11-20T01:31:07Z',
      sentDateTime: '2026-11-20T01:30:00Z',
      subject: '测试 😀 €',
      internetMessageId: '<m1@example.cn>',
      from: { emailAddress: { address: 'zhu@example.cn', name: '朱镕基' } },
      flag: { flagStatus: 'flagged' },
    });
    const props = new Map(
      (m.singleValueExtendedProperties as Array<{ id: string; value: string }>).map((p) => [
        p.id.toLowerCase(),
        p.value,
      ]),
    );
    expect(props.get(MAIL_ORIGIN_KEY_PROPERTY_ID.toLowerCase())).toBe('origin-1');
    expect([...props.values()]).toContain('<parent@example.cn>');
    expect(reports).toEqual([]);
    // The copy shows in the inbox's delta as a synced message carrying our stamp.
    const listed = items((await drain(adapter)).changes);
    expect(listed.map((i) => [i.id, i.originKey, i.version])).toEqual([
      [created.id, 'origin-1', created.version],
    ]);
  });

  test('a create whose answer was lost is found by its origin key; there is one copy', async () => {
    const adapter = adapterWith({ timeoutMs: 300 });
    h.fake.control.addFault({
      method: 'POST',
      path: '/mailFolders/inbox/messages',
      latencyMs: 900,
      count: 1,
    });
    await expect(adapter.create(h.user, projectionOf(mime({})), 'origin-lost')).rejects.toBeInstanceOf(
      TransientRemoteError,
    );
    await new Promise((r) => setTimeout(r, 1200));
    const found = await adapter.findByOriginKey(h.user, 'origin-lost');
    expect(found?.originKey).toBe('origin-lost');
    expect(await adapter.findByOriginKey(h.user, 'origin-other')).toBeUndefined();
    expect(h.fake.control.mailMessages(owner, 'inbox')).toHaveLength(1);
  });

  test('attachments under 4 MB travel in the create, inline images with their Content-ID', async () => {
    const adapter = adapterWith();
    const png = bytes(2000, 7);
    const raw = mime({
      html: '<p><img src="cid:logo@x"></p>',
      attachments: [
        { name: 'logo.png', content: png, type: 'image/png', cid: 'logo@x' },
        { name: '报告.pdf', content: bytes(500_000), type: 'application/pdf' },
      ],
    });
    const created = await adapter.create(h.user, projectionOf(raw), 'origin-small');
    expect(posts('/attachments')).toHaveLength(0);
    const list = await attachmentsOf(created.id);
    expect(list.map((a) => [a.name, a.isInline, a.contentId ?? null, a.size])).toEqual(
      expect.arrayContaining([
        ['logo.png', true, 'logo@x', 2000],
        ['报告.pdf', false, null, 500_000],
      ]),
    );
    expect(reports).toEqual([]);
  });

  test('above 4 MB: what fits goes in the create, the rest by POST …/attachments', async () => {
    const adapter = adapterWith();
    const raw = mime({
      attachments: [
        { name: 'one.bin', content: bytes(2_500_000, 1) },
        { name: 'two.bin', content: bytes(2_500_000, 2) },
      ],
    });
    const created = await adapter.create(h.user, projectionOf(raw), 'origin-two');
    const create = posts('/mailFolders/inbox/messages')[0];
    expect(Buffer.byteLength(JSON.stringify(create.body))).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(posts(`/attachments`)).toHaveLength(1);
    const list = await attachmentsOf(created.id);
    expect(list.map((a) => a.name).sort()).toEqual(['one.bin', 'two.bin']);
    expect(created.version).toBe((await adapter.get(h.user, created.id))!.version);
    expect(reports).toEqual([]);
  });

  test('a 10 MB attachment goes through an upload session in chunks', async () => {
    const puts: RequestInit[] = [];
    const adapter = adapterWith({
      fetch: (url, init) => {
        puts.push(init!);
        return fetch(url, init);
      },
    });
    const big = bytes(10 * 1024 * 1024, 3);
    const created = await adapter.create(
      h.user,
      projectionOf(mime({ attachments: [{ name: '大文件.zip', content: big, type: 'application/zip' }] })),
      'origin-big',
    );
    expect(posts('/createUploadSession')).toHaveLength(1);
    expect(puts.length).toBe(4);
    expect(puts.map((p) => (p.headers as Record<string, string>)['Content-Range'])).toEqual([
      'bytes 0-3276799/10485760',
      'bytes 3276800-6553599/10485760',
      'bytes 6553600-9830399/10485760',
      'bytes 9830400-10485759/10485760',
    ]);
    expect(puts.every((p) => !('Authorization' in (p.headers as object)))).toBe(true);
    const list = await attachmentsOf(created.id);
    expect(list.map((a) => [a.name, a.size])).toEqual([['大文件.zip', big.length]]);
    expect(reports).toEqual([]);
  });

  test('attachments refused after the create: the copy names each missing file in its body, and it is reported', async () => {
    h.fake.control.setMailAttachmentsOnNonDraft('reject');
    const adapter = adapterWith();
    const raw = mime({
      attachments: [
        { name: 'one.bin', content: bytes(2_500_000, 1) },
        { name: 'two.bin', content: bytes(2_500_000, 2) },
      ],
    });
    const created = await adapter.create(h.user, projectionOf(raw), 'origin-refused');
    const inbox = h.fake.control.mailMessages(owner, 'inbox');
    expect(inbox.map((m) => m.id)).toEqual([created.id]);
    const m = await h.connector.api.get<{ body: { content: string } }>(
      `/users/${owner}/messages/${encodeURIComponent(created.id)}`,
    );
    expect(m.body.content).toMatch(/Attachment not imported: (one|two)\.bin \(2\.4 MB\)/);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ id: created.id, originKey: 'origin-refused' });
    expect(reports[0].issues).toEqual([
      expect.objectContaining({
        kind: 'attachment-not-imported',
        attachment: { name: expect.any(String), size: 2_500_000 },
      }),
    ]);
    expect((await attachmentsOf(created.id)).length).toBe(1);
  });

  test('soft delete moves the message to Deleted Items; the inbox delta reports it removed', async () => {
    await h.fake.control.deliverMail(owner, 'inbox', mime({}), { receivedAt: at(-DAY) });
    const adapter = adapterWith();
    const first = await drain(adapter);
    const item = items(first.changes)[0];
    await adapter.delete(h.user, item.id, item.version);
    expect(h.fake.control.mailMessages(owner, 'inbox')).toHaveLength(0);
    expect(h.fake.control.mailMessages(owner, 'deleteditems')).toHaveLength(1);
    const next = await drain(adapter, first.cursor);
    expect(next.changes).toEqual([{ id: item.id, deleted: true }]);
    // Already gone: deleting again is not an error.
    await adapter.delete(h.user, 'AAMkAGone');
  });

  test('an expired delta token is CursorExpiredError', async () => {
    await h.fake.control.deliverMail(owner, 'inbox', mime({}), { receivedAt: at(-DAY) });
    const adapter = adapterWith();
    const first = await drain(adapter);
    h.fake.control.expireDeltaTokens(owner);
    await expect(adapter.listChanges(h.user, 'inbox', first.cursor)).rejects.toBeInstanceOf(
      CursorExpiredError,
    );
  });

  test.each([429, 503])('%s that outlasts the retries is TransientRemoteError', async (status) => {
    const adapter = adapterWith();
    h.fake.control.addFault({ method: 'GET', path: '/messages/delta', status, retryAfterSeconds: 0 });
    const err = await adapter.listChanges(h.user, 'inbox', undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientRemoteError);
    expect((err as TransientRemoteError).status).toBe(status);
  });
});
