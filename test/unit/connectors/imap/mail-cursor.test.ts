import * as iconv from 'iconv-lite';
import fc from 'fast-check';
import {
  decodeMailCursor,
  decodeRuns,
  encodeMailCursor,
  encodeRuns,
  type MailCursor,
  versionOfBits,
  bitsOfFlags,
} from '../../../../shared/connectors/imap/mail-cursor';
import { commandOf } from '../../../../shared/connectors/imap/connection-pool';
import { mapImapError } from '../../../../shared/connectors/imap/errors';
import { ImapLoginRejectedError } from '../../../../shared/connectors/imap/credentials';
import { decodeEncodedWords, headerValue } from '../../../../shared/connectors/imap/header-decoding';
import {
  CursorExpiredError,
  PermanentRemoteError,
  TransientRemoteError,
} from '../../../../shared/sync/types';

const delta = (snapshot: Map<number, number>): MailCursor => ({
  kind: 'delta',
  uidValidity: '4294967295',
  uidNext: 5001,
  messages: 2000,
  unseen: 17,
  fullScanAt: Date.parse('2026-11-22T08:00:00Z'),
  windowScanAt: Date.parse('2026-11-22T08:02:00Z'),
  snapshot,
});

describe('IMAP mail cursor', () => {
  test('runs round-trip any UID → flags map', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { maxLength: 300 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 3 })),
        (uids, bits) => {
          const snapshot = new Map(uids.map((u) => [u, bits.next().value as number]));
          expect(decodeRuns(encodeRuns(snapshot))).toEqual(
            new Map([...snapshot].sort((a, b) => a[0] - b[0])),
          );
        },
      ),
    );
  });

  test('consecutive UIDs with equal flags collapse into one run', () => {
    const snapshot = new Map<number, number>();
    for (let uid = 1; uid <= 2000; uid++) snapshot.set(uid, uid > 1990 ? 0 : 1);
    expect(encodeRuns(snapshot)).toBe('1S1ja,1Na'); // 1,990 UIDs \Seen, then 10 unflagged;
  });

  test('2,000 sparse UIDs with mixed flags stay far below an Azure Table property (32 K characters)', () => {
    const snapshot = new Map<number, number>();
    let uid = 100_000;
    for (let i = 0; i < 2000; i++) {
      uid += 1 + ((i * 7919) % 40);
      snapshot.set(uid, (i * 31) % 4);
    }
    const text = encodeMailCursor(delta(snapshot));
    expect(text.length).toBeLessThan(10_000);
    expect(decodeMailCursor(text)).toEqual(delta(snapshot));
  });

  test('a listing cursor keeps its pending UIDs', () => {
    const c: MailCursor = { ...delta(new Map([[3, 1]])), kind: 'listing', pending: [4, 5, 9, 200] };
    expect(decodeMailCursor(encodeMailCursor(c))).toEqual(c);
  });

  test.each([
    '',
    'garbage',
    'im1|D|x|1|1|1|1|1|',
    'im1|D|1|1|1|1|1|1|0S',
    'im1|Q|1|1|1|1|1|1|',
    'dt1:sync:abc',
  ])('an unreadable cursor %j is expired, so the engine relists', (text) => {
    expect(() => decodeMailCursor(text)).toThrow(CursorExpiredError);
  });

  test('versions are the synced flags', () => {
    expect([0, 1, 2, 3].map(versionOfBits)).toEqual(['-', 'S', 'F', 'SF']);
    expect(versionOfBits(bitsOfFlags(new Set(['\\Answered', '\\Flagged', '\\Seen', '\\Recent'])))).toBe('SF');
  });
});

describe('IMAP helpers', () => {
  test('commands are recorded without tags or credentials', () => {
    expect(commandOf('A7 UID FETCH 1:* (UID FLAGS)')).toBe('UID FETCH 1:* (UID FLAGS)');
    expect(commandOf('2 LOGIN "a@b.c" "hunter2"')).toBe('LOGIN');
    expect(commandOf('3 AUTHENTICATE PLAIN AGFAZXhh')).toBe('AUTHENTICATE');
    expect(commandOf('AGFAZXhhbXBsZS5jb20AKCogdmFsdWUgaGlkZGVuICop')).toBeUndefined();
  });

  test('errors map to the sync error classes, with known secrets masked', () => {
    const login = { email: 'a@example.com', secretVersion: 'v2' };
    expect(
      mapImapError({ authenticationFailed: true, responseText: 'bad' }, 'login', { login }),
    ).toBeInstanceOf(ImapLoginRejectedError);
    expect(mapImapError({ code: 'ETHROTTLE', throttleReset: 5000 }, 'x')).toMatchObject({
      retryAfterMs: 5000,
    });
    expect(mapImapError({ code: 'NoConnection' }, 'x')).toBeInstanceOf(TransientRemoteError);
    expect(mapImapError({ responseStatus: 'NO', serverResponseCode: 'UNAVAILABLE' }, 'x')).toBeInstanceOf(
      TransientRemoteError,
    );
    const refused = mapImapError(
      { responseStatus: 'BAD', responseText: 'invalid command or parameters' },
      'UID STORE',
    );
    expect(refused).toBeInstanceOf(PermanentRemoteError);
    const masked = mapImapError(new Error('failed with s3cret-pw inside'), 'x', { secrets: ['s3cret-pw'] });
    expect(masked.message).not.toContain('s3cret-pw');
  });

  test('GB-family encoded-words decode as GB18030, split words joined', () => {
    const b64 = iconv.encode('朱镕基 😀', 'gb18030').toString('base64');
    expect(decodeEncodedWords(`=?gb2312?B?${b64}?= x`)).toBe('朱镕基 😀 x');
    expect(decodeEncodedWords('=?UTF-8?Q?caf=C3=A9?= =?UTF-8?Q?_ok?=')).toBe('café ok');
    expect(headerValue(Buffer.from('Subject: a\r\n b\r\nX-Other: 1\r\n\r\n'), 'subject')).toBe('a b');
  });
});
