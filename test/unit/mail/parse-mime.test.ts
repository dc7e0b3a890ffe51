import iconv from 'iconv-lite';
import { decodeText, isGbLabel, rewriteGbLabels } from '../../../shared/mail/charset';
import { MimeParseError, parseMime } from '../../../shared/mail/parse-mime';

/** The string the charset research used: GBK-only characters, an en dash, an emoji (4 bytes in GB18030) and €. */
const SAMPLE = '朱镕基 – 测试 😀 €';
const gb = (s: string) => iconv.encode(s, 'gb18030');
const b64 = (b: Buffer) => b.toString('base64');
const msg = (...parts: Array<string | Buffer>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));

const CRLF = '\r\n';

describe('charset rule: every GB-family label decodes as GB18030', () => {
  test.each(['gb2312', 'GBK', 'cp936', 'euc-cn', 'x-gbk', 'chinese', 'csgb2312', 'gb18030'])(
    '%s',
    (label) => {
      expect(isGbLabel(label)).toBe(true);
      expect(decodeText(gb(SAMPLE), label)).toBe(SAMPLE);
    },
  );

  test('other labels are left as they are', () => {
    expect(isGbLabel('big5')).toBe(false);
    expect(decodeText(iconv.encode('測試', 'big5'), 'big5')).toBe('測試');
    expect(decodeText(Buffer.from('plain'), 'no-such-charset')).toBe('plain');
  });

  test('labels are rewritten in encoded words, charset parameters and RFC 2231 values, nowhere else', () => {
    const header =
      'Subject: =?GB2312?B?AAAA?= =?gbk*zh?Q?x?=\r\n' +
      'Content-Type: text/plain; charset="gb2312"; name=gbk.txt\r\n' +
      "Content-Disposition: attachment; filename*=x-gbk''%D6%D0\r\n";
    expect(rewriteGbLabels(header)).toBe(
      'Subject: =?gb18030?B?AAAA?= =?gb18030*zh?Q?x?=\r\n' +
        'Content-Type: text/plain; charset="gb18030"; name=gbk.txt\r\n' +
        "Content-Disposition: attachment; filename*=gb18030''%D6%D0\r\n",
    );
  });
});

describe('parseMime', () => {
  test.each(['gb2312', 'gbk'])(
    'subject, names and body labelled %s keep the emoji and the euro sign',
    async (label) => {
      const raw = msg(
        `From: =?${label}?B?${b64(gb('朱镕基'))}?= <zhu@example.cn>${CRLF}`,
        `To: =?${label}?B?${b64(gb('测试'))}?= <test@contoso.example>${CRLF}`,
        `Subject: =?${label}?B?${b64(gb(SAMPLE))}?=${CRLF}`,
        `Date: Tue, 01 Dec 2026 09:30:00 +0800${CRLF}`,
        `Message-ID: <a1@example.cn>${CRLF}`,
        `MIME-Version: 1.0${CRLF}`,
        `Content-Type: multipart/alternative; boundary="alt"${CRLF}${CRLF}`,
        `--alt${CRLF}Content-Type: text/plain; charset=${label}${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
        `${b64(gb(SAMPLE))}${CRLF}`,
        `--alt${CRLF}Content-Type: text/html; charset="${label.toUpperCase()}"${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}`,
        msg('<p>', gb(SAMPLE), `</p>${CRLF}`),
        `--alt--${CRLF}`,
      );
      const parsed = await parseMime(raw);
      expect(parsed.subject).toBe(SAMPLE);
      expect(parsed.from).toEqual({ name: '朱镕基', address: 'zhu@example.cn' });
      expect(parsed.to).toEqual([{ name: '测试', address: 'test@contoso.example' }]);
      expect(parsed.text?.trim()).toBe(SAMPLE);
      expect(parsed.html).toContain(`<p>${SAMPLE}</p>`);
      expect(parsed.date?.toISOString()).toBe('2026-12-01T01:30:00.000Z');
      expect(parsed.messageId).toBe('<a1@example.cn>');
    },
  );

  test('RFC 2047 words split inside a character (base64 and Q) are joined before decoding', async () => {
    const bytes = gb(SAMPLE);
    // Cut through the middle of the emoji's four bytes, and through a two-byte character for Q.
    const emojiAt = gb('朱镕基 – 测试 ').length + 2;
    const [b1, b2] = [bytes.subarray(0, emojiAt), bytes.subarray(emojiAt)];
    const q = (b: Buffer) => [...b].map((c) => `=${c.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    const raw = msg(
      `Subject: =?gb2312?B?${b64(b1)}?=${CRLF}`,
      ` =?gb2312?B?${b64(b2)}?=${CRLF}`,
      `Reply-To: =?GBK?Q?${q(gb('朱').subarray(0, 1))}?= =?GBK?Q?${q(gb('朱').subarray(1))}${q(gb('镕基'))}?= <r@example.cn>${CRLF}`,
      `${CRLF}body${CRLF}`,
    );
    const parsed = await parseMime(raw);
    expect(parsed.subject).toBe(SAMPLE);
    expect(parsed.replyTo).toEqual([{ name: '朱镕基', address: 'r@example.cn' }]);
  });

  test('RFC 2231 Chinese file names, in one piece and in continuations, GB and UTF-8', async () => {
    const pct = (b: Buffer) =>
      [...b].map((c) => `%${c.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    const utf8Name = Buffer.from('季度报告 😀.pdf', 'utf8');
    const raw = msg(
      `Subject: files${CRLF}Content-Type: multipart/mixed; boundary=mix${CRLF}${CRLF}`,
      `--mix${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}hi${CRLF}`,
      `--mix${CRLF}Content-Type: application/octet-stream${CRLF}`,
      `Content-Disposition: attachment; filename*=gb2312''${pct(gb('会议纪要😀.txt'))}${CRLF}`,
      `Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64(Buffer.from('one'))}${CRLF}`,
      `--mix${CRLF}Content-Type: application/pdf${CRLF}`,
      `Content-Disposition: attachment;${CRLF} filename*0*=utf-8''${pct(utf8Name.subarray(0, 7))};${CRLF}`,
      ` filename*1*=${pct(utf8Name.subarray(7))}${CRLF}`,
      `Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64(Buffer.from('two'))}${CRLF}`,
      `--mix--${CRLF}`,
    );
    const parsed = await parseMime(raw);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['会议纪要😀.txt', '季度报告 😀.pdf']);
    expect(parsed.attachments.map((a) => a.content.toString())).toEqual(['one', 'two']);
    expect(parsed.attachments[1]).toMatchObject({ contentType: 'application/pdf', inline: false, size: 3 });
  });

  test('raw 8-bit GBK header bytes (not UTF-8) are read as GB18030; raw UTF-8 stays UTF-8', async () => {
    const raw = msg(
      'Subject: ',
      gb(SAMPLE),
      CRLF,
      'From: "',
      gb('朱镕基'),
      `" <zhu@example.cn>${CRLF}`,
      'Cc: ',
      Buffer.from('"李伟" <li@contoso.example>', 'utf8'),
      CRLF,
      `Content-Type: multipart/mixed; boundary=b${CRLF}${CRLF}`,
      `--b${CRLF}Content-Type: text/plain; charset=gbk${CRLF}${CRLF}`,
      gb('正文'),
      CRLF,
      `--b${CRLF}Content-Type: text/plain${CRLF}Content-Disposition: attachment; filename="`,
      gb('附件.txt'),
      `"${CRLF}${CRLF}x${CRLF}--b--${CRLF}`,
    );
    const parsed = await parseMime(raw);
    expect(parsed.subject).toBe(SAMPLE);
    expect(parsed.from).toEqual({ name: '朱镕基', address: 'zhu@example.cn' });
    expect(parsed.cc).toEqual([{ name: '李伟', address: 'li@contoso.example' }]);
    expect(parsed.text?.trim()).toBe('正文');
    expect(parsed.attachments[0].filename).toBe('附件.txt');
    expect(parsed.headerBlock).toContain(`Subject: ${SAMPLE}`);
  });

  test('a GBK-encoded body line that looks like a delimiter of an unknown boundary is left alone', async () => {
    const raw = msg(
      `Subject: x${CRLF}Content-Type: text/plain; charset=gbk${CRLF}${CRLF}`,
      `--not-a-boundary${CRLF}`,
      gb('第二行'),
      CRLF,
    );
    const parsed = await parseMime(raw);
    expect(parsed.text).toContain('--not-a-boundary');
    expect(parsed.text).toContain('第二行');
  });

  test('Big5 (traditional Chinese) subject and body', async () => {
    const big5 = (s: string) => iconv.encode(s, 'big5');
    const raw = msg(
      `Subject: =?big5?B?${b64(big5('會議通知'))}?=${CRLF}`,
      `Content-Type: text/plain; charset=big5${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
      `${b64(big5('請準時出席'))}${CRLF}`,
    );
    const parsed = await parseMime(raw);
    expect(parsed.subject).toBe('會議通知');
    expect(parsed.text?.trim()).toBe('請準時出席');
  });

  test('inline images of a multipart/related keep their Content-ID; the HTML keeps its cid: link', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const raw = msg(
      `Subject: pic${CRLF}Content-Type: multipart/related; boundary="rel"${CRLF}${CRLF}`,
      `--rel${CRLF}Content-Type: text/html; charset=utf-8${CRLF}${CRLF}<img src="cid:img1@x">${CRLF}`,
      `--rel${CRLF}Content-Type: image/png${CRLF}Content-ID: <img1@x>${CRLF}Content-Disposition: inline${CRLF}`,
      `Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64(png)}${CRLF}--rel--${CRLF}`,
    );
    const parsed = await parseMime(raw);
    expect(parsed.html).toContain('cid:img1@x');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({
      contentId: 'img1@x',
      inline: true,
      contentType: 'image/png',
    });
    expect(parsed.attachments[0].content.equals(png)).toBe(true);
  });

  test('broken base64 never crashes: the text is decoded best-effort, the damaged file is set aside', async () => {
    const raw = msg(
      `Subject: broken${CRLF}Content-Type: multipart/mixed; boundary=b${CRLF}${CRLF}`,
      `--b${CRLF}Content-Type: text/plain; charset=gb2312${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
      `${b64(gb('正文'))}!!**%%${CRLF}`,
      `--b${CRLF}Content-Type: application/pdf; name=a.pdf${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
      `JVBERi0xLjQK@@@@====AAA${CRLF}`,
      // Truncated: the closing delimiter never comes.
    );
    const parsed = await parseMime(raw);
    expect(parsed.subject).toBe('broken');
    expect(parsed.text).toContain('正文');
    // Decoding the file would hand over other bytes than the sender's: it is listed as damaged instead.
    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.damaged).toEqual([
      expect.objectContaining({
        filename: 'a.pdf',
        reason: expect.stringContaining('"@", which is not base64'),
      }),
      expect.objectContaining({ contentType: 'text/plain', reason: expect.stringContaining('not base64') }),
    ]);
  });

  test('garbage and empty input give a result or a MimeParseError, nothing else', async () => {
    for (const input of [
      Buffer.alloc(0),
      Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x0d]),
      Buffer.alloc(5000, 0x80),
    ]) {
      const outcome = await parseMime(input).then(
        (p) => p,
        (e: unknown) => e as Error,
      );
      if (outcome instanceof Error) expect(outcome).toBeInstanceOf(MimeParseError);
      else expect(outcome.attachments).toEqual([]);
    }
  });

  test('a missing or unreadable Date header gives no date, not "now"', async () => {
    expect((await parseMime(msg(`Subject: a${CRLF}${CRLF}x`))).date).toBeUndefined();
    expect((await parseMime(msg(`Subject: a${CRLF}Date: soon${CRLF}${CRLF}x`))).date).toBeUndefined();
    const withComment = await parseMime(msg(`Date: Tue, 1 Dec 2026 09:30:00 +0800 (CST)${CRLF}${CRLF}x`));
    expect(withComment.date?.toISOString()).toBe('2026-12-01T01:30:00.000Z');
  });
});
