import fc from 'fast-check';
import { collect } from '../../../shared/mail/mail-bytes';
import { parseMime, parseMimeForCopy } from '../../../shared/mail/parse-mime';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

/**
 * The parse a copy into Outlook uses holds attachments only up to a budget: a larger one carries its size and is
 * decoded again from the message when it is sent (a base64 body set aside before the parse, anything else by a
 * second parse). Either way the bytes and sizes are those the whole parse gives.
 */

const CRLF = '\r\n';

function bytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

const base64Part = (name: string, content: Buffer, type = 'application/octet-stream') =>
  `--b${CRLF}Content-Type: ${type}; name=${name}${CRLF}Content-Transfer-Encoding: base64${CRLF}` +
  `Content-Disposition: attachment; filename=${name}${CRLF}${CRLF}` +
  `${content.toString('base64').replace(/.{76}/g, `$&${CRLF}`)}${CRLF}`;

function message(...parts: string[]): Buffer {
  return Buffer.from(
    `From: a@example.cn${CRLF}To: b@example.cn${CRLF}Subject: parts${CRLF}` +
      `Content-Type: multipart/mixed; boundary=b${CRLF}${CRLF}` +
      `--b${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}hello${CRLF}` +
      parts.join('') +
      `--b--${CRLF}`,
    'latin1',
  );
}

test('attachments beyond the budget are not held; open() gives the same bytes as the whole parse', async () => {
  const small = bytes(1000, 1);
  const large = bytes(300_000, 2);
  const textual = Buffer.from('line of text=\r\n'.repeat(20_000), 'latin1');
  const qp =
    `--b${CRLF}Content-Type: text/plain; name=notes.txt${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}` +
    `Content-Disposition: attachment; filename=notes.txt${CRLF}${CRLF}` +
    `${textual.toString('latin1').replace(/=/g, '=3D').replace(/\r\n/g, '=0D=0A=\r\n')}${CRLF}`;
  const raw = message(base64Part('small.bin', small), base64Part('large.bin', large, 'application/zip'), qp);

  const whole = await parseMime(raw);
  const copy = await parseMimeForCopy(raw, 100_000);

  expect(copy.text).toBe(whole.text);
  expect(copy.attachments.map((a) => [a.filename, a.size])).toEqual(
    whole.attachments.map((a) => [a.filename, a.size]),
  );
  expect(copy.attachments.map((a) => a.content !== undefined)).toEqual([true, false, false]);
  for (const [i, a] of copy.attachments.entries()) {
    const read = await collect(await a.open());
    expect(read.equals(whole.attachments[i].content)).toBe(true);
    expect(read.length).toBe(a.size);
  }
  expect(whole.attachments[1].content.equals(large)).toBe(true);
});

test('a damaged large body is reported, not set aside', async () => {
  const large = base64Part('large.bin', bytes(300_000, 3)).replace(
    /\r\n([A-Za-z0-9+/]{76})\r\n/,
    '\r\nJUNK!\r\n',
  );
  const copy = await parseMimeForCopy(message(large), 100_000);
  expect(copy.attachments).toEqual([]);
  expect(copy.damaged?.map((d) => d.filename)).toEqual(['large.bin']);
});

test('a set-aside body decodes to the exact bytes, whatever its length and line breaks', async () => {
  // Lengths around the decoder's 576 KiB slices and every remainder of 3 (the padding cases); lines of any whole
  // number of base64 groups (as encoders write them; other lengths count as damage), broken by CRLF or LF.
  const slice = 576 * 1024;
  const length = fc.oneof(
    fc.integer({ min: 100_001, max: 2 * slice + 10 }),
    fc.integer({ min: -4, max: 4 }).map((d) => slice + d),
    fc.integer({ min: -4, max: 4 }).map((d) => 2 * slice + d),
  );
  await fc.assert(
    fc.asyncProperty(
      length,
      fc.integer({ min: 1, max: 255 }),
      fc.integer({ min: 1, max: 249 }).map((groups) => groups * 4),
      fc.constantFrom(CRLF, '\n'),
      async (n, seed, lineLength, lineEnd) => {
        const content = bytes(n, seed);
        const text = content.toString('base64').replace(new RegExp(`.{${lineLength}}`, 'g'), `$&${lineEnd}`);
        const part =
          `--b${CRLF}Content-Type: application/octet-stream; name=f.bin${CRLF}` +
          `Content-Transfer-Encoding: base64${CRLF}Content-Disposition: attachment; filename=f.bin${CRLF}${CRLF}` +
          `${text}${CRLF}`;
        const copy = await parseMimeForCopy(message(part), 100_000);
        const [attachment] = copy.attachments;
        expect(attachment.content).toBeUndefined();
        expect(attachment.size).toBe(n);
        expect((await collect(await attachment.open())).equals(content)).toBe(true);
      },
    ),
    fastCheckRuns(runsFrom('PROPERTY_RUNS', 25)),
  );
});
