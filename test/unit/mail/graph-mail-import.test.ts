import { checkImport } from '../../../shared/connectors/graph/mail-adapter';
import { MAX_REQUEST_BYTES, planImport, withNotes } from '../../../shared/connectors/graph/mail-import';
import {
  MAIL_ORIGIN_KEY_PROPERTY_ID,
  PR_CLIENT_SUBMIT_TIME,
  PR_MESSAGE_DELIVERY_TIME,
  PR_MESSAGE_FLAGS,
} from '../../../shared/connectors/graph/mail-stamps';
import type { MailAttachment, ParsedMessage } from '../../../shared/mail/parse-mime';
import type { MailProjection } from '../../../shared/sync/mail-message';

/** The JSON create of a copied message: properties asked for, the 4 MB rule, notes, and the after-create check. */

const attachment = (name: string, size: number, extra: Partial<MailAttachment> = {}): MailAttachment => ({
  content: Buffer.alloc(size, 7),
  filename: name,
  contentType: 'application/octet-stream',
  inline: false,
  size,
  ...extra,
});

const parsed = (attachments: MailAttachment[] = [], extra: Partial<ParsedMessage> = {}): ParsedMessage => ({
  subject: '季度报告',
  from: { name: '朱镕基', address: 'zhu@example.cn' },
  to: [{ name: '', address: 'li.wei@contoso.example' }],
  cc: [],
  replyTo: [],
  date: new Date('2026-11-20T01:30:00Z'),
  messageId: '<m1@example.cn>',
  references: ['<root@example.cn>'],
  inReplyTo: '<root@example.cn>',
  html: '<html><body><p>正文</p></body></html>',
  attachments,
  headerBlock: 'Subject: 季度报告',
  ...extra,
});

const projection = (extra: Partial<MailProjection> = {}): MailProjection => ({
  seen: true,
  flagged: false,
  envelope: { subject: '季度报告', receivedAt: '2026-11-20T01:31:07Z', sentAt: '2026-11-20T01:30:00Z' },
  ...extra,
});

describe('planImport', () => {
  test('a read message asks for PidTagMessageFlags = read (no unsent bit), the source dates and our stamp', () => {
    const { body } = planImport({ parsed: parsed(), projection: projection(), originKey: 'k1' });
    const props = Object.fromEntries(body.singleValueExtendedProperties.map((p) => [p.id, p.value]));
    expect(props).toMatchObject({
      [MAIL_ORIGIN_KEY_PROPERTY_ID]: 'k1',
      [PR_MESSAGE_FLAGS]: '1',
      [PR_MESSAGE_DELIVERY_TIME]: '2026-11-20T01:31:07Z',
      [PR_CLIENT_SUBMIT_TIME]: '2026-11-20T01:30:00Z',
      'String 0x1042': '<root@example.cn>',
      'String 0x1039': '<root@example.cn>',
    });
    expect(body).toMatchObject({
      isRead: true,
      flag: { flagStatus: 'notFlagged' },
      internetMessageId: '<m1@example.cn>',
      body: { contentType: 'html' },
      from: { emailAddress: { address: 'zhu@example.cn', name: '朱镕基' } },
      sender: { emailAddress: { address: 'zhu@example.cn', name: '朱镕基' } },
    });
  });

  test('an unread message asks for flags 0; a message without HTML sends its text', () => {
    const { body } = planImport({
      parsed: parsed([], { html: undefined, text: 'plain' }),
      projection: projection({ seen: false }),
      originKey: 'k2',
    });
    expect(body.singleValueExtendedProperties.find((p) => p.id === PR_MESSAGE_FLAGS)?.value).toBe('0');
    expect(body.body).toEqual({ contentType: 'text', content: 'plain' });
  });

  test('attachments go into the create while the serialised JSON stays within 4 MB; inline images first', () => {
    const atts = [
      attachment('big.bin', 2_000_000),
      attachment('logo.png', 50_000, { inline: true, contentId: 'logo@x', contentType: 'image/png' }),
      attachment('mid.bin', 1_000_000),
      attachment('huge.bin', 2_500_000),
    ];
    const plan = planImport({ parsed: parsed(atts), projection: projection(), originKey: 'k3' });
    expect(plan.body.attachments!.map((a) => a.name)).toEqual(['logo.png', 'mid.bin', 'big.bin']);
    expect(plan.deferred.map((a) => a.filename)).toEqual(['huge.bin']);
    expect(plan.bytes).toBe(Buffer.byteLength(JSON.stringify(plan.body)));
    expect(plan.bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(plan.body.attachments![0]).toMatchObject({ isInline: true, contentId: 'logo@x' });
  });

  test('deferAll keeps every attachment out of the create, smallest first', () => {
    const atts = [attachment('b', 20), attachment('a', 10)];
    const plan = planImport({
      parsed: parsed(atts),
      projection: projection(),
      originKey: 'k4',
      deferAll: true,
    });
    expect(plan.body.attachments).toBeUndefined();
    expect(plan.deferred.map((a) => a.filename)).toEqual(['a', 'b']);
  });

  test('notes go inside the HTML body, escaped, and at the end of a text body', () => {
    const html = withNotes({ contentType: 'html', content: '<html><body><p>x</p></body></html>' }, ['a <b>']);
    expect(html.content).toBe(
      '<html><body><p>x</p><hr><div class="sync-import-note"><ul><li>a &lt;b&gt;</li></ul></div></body></html>',
    );
    expect(withNotes({ contentType: 'text', content: 'x' }, ['n']).content).toBe('x\n\n---\nn\n');
  });
});

describe('checkImport', () => {
  test('a copy exactly as asked has no issue', () => {
    const m = {
      id: 'x',
      isDraft: false,
      isRead: true,
      receivedDateTime: '2026-11-20T01:31:07Z',
      flag: { flagStatus: 'notFlagged' as const },
    };
    expect(checkImport(m, projection())).toEqual([]);
  });

  test('a draft, another read state, another received time and another flag are each reported', () => {
    const m = {
      id: 'x',
      isDraft: true,
      isRead: false,
      receivedDateTime: '2026-11-22T08:00:00Z',
      flag: { flagStatus: 'flagged' as const },
    };
    expect(checkImport(m, projection()).map((i) => [i.field, i.asked, i.got])).toEqual([
      ['isDraft', 'false', 'true'],
      ['isRead', 'true', 'false'],
      ['receivedDateTime', '2026-11-20T01:31:07Z', '2026-11-22T08:00:00Z'],
      ['flag', 'notFlagged', 'flagged'],
    ]);
  });
});
