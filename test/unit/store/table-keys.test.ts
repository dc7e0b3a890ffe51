import fc from 'fast-check';
import { InvalidKeyError } from '../../../shared/store/errors';
import {
  assertValidKey,
  decodeKeyPart,
  encodeKeyPart,
  joinKey,
  MAX_KEY_LENGTH,
  prefixRange,
} from '../../../shared/store/table-keys';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const RUNS = fastCheckRuns(runsFrom('PROPERTY_RUNS', 100));

describe('assertValidKey', () => {
  test.each([
    ['a slash', 'users/abc'],
    ['a backslash', 'a\\b'],
    ['a number sign', 'a#b'],
    ['a question mark', 'a?b'],
    ['a tab', 'a\tb'],
    ['a newline', 'a\nb'],
    ['NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['U+009F', 'a\u009fb'],
    ['nothing', ''],
    ['more than 1 KiB of UTF-16', 'x'.repeat(MAX_KEY_LENGTH + 1)],
  ])('refuses %s', (_, key) => {
    expect(() => assertValidKey(key, 'RowKey')).toThrow(InvalidKeyError);
  });

  test('names the key and the offending character', () => {
    expect(() => assertValidKey('ab/c', 'PartitionKey')).toThrow(
      /PartitionKey contains a forbidden character U\+002F at position 2/,
    );
  });

  test.each([
    'AAMkADk0-_=',
    'x'.repeat(MAX_KEY_LENGTH),
    'ding|user.1',
    '中文-ünïcode',
    'a%2Fb',
    'U+00A0\u00a0ok',
  ])('accepts %s', (key) => {
    expect(() => assertValidKey(key, 'RowKey')).not.toThrow();
  });

  test('refuses non-strings', () => {
    expect(() => assertValidKey(42, 'RowKey')).toThrow(/must be a string/);
  });
});

describe('encodeKeyPart', () => {
  test('leaves ordinary ids unchanged and escapes the rest', () => {
    expect(encodeKeyPart('AAMkAGI2TG93AAA=')).toBe('AAMkAGI2TG93AAA=');
    expect(encodeKeyPart('a/b\\c#d?e|f%g\n')).toBe('a%2Fb%5Cc%23d%3Fe%7Cf%25g%0A');
  });

  test('any string encodes to a valid key part and decodes back (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }), (id) => {
        const encoded = encodeKeyPart(id);
        assertValidKey(encoded, 'RowKey');
        expect(encoded).not.toContain('|');
        expect(decodeKeyPart(encoded)).toBe(id);
      }),
      RUNS,
    );
  });

  test('joined keys never collide for different parts (property)', () => {
    const part = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.tuple(part, part), fc.tuple(part, part), (a, b) => {
        fc.pre(a[0] !== b[0] || a[1] !== b[1]);
        expect(joinKey(...a)).not.toBe(joinKey(...b));
      }),
      RUNS,
    );
  });

  test('prefixRange bounds exactly the keys that start with the prefix parts', () => {
    const { from, to } = prefixRange('link');
    const inside = [joinKey('link', 'a'), joinKey('link', '~~~'), joinKey('link', 'z/z')];
    const outside = [joinKey('linkx', 'a'), joinKey('lin'), joinKey('outlook', 'a'), 'link'];
    for (const k of inside) expect(k >= from && k < to).toBe(true);
    for (const k of outside) expect(k >= from && k < to).toBe(false);
  });
});
