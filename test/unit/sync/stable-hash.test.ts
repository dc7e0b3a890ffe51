import fc from 'fast-check';
import { canonicalJson, fnv1a64, stableHash } from '../../../shared/sync/stable-hash';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const RUNS = fastCheckRuns(runsFrom('PROPERTY_RUNS', 100));

describe('stable projection hash', () => {
  test('FNV-1a 64 matches the published test vectors, over UTF-8', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
    // Four UTF-8 bytes for one astral code point, three for CJK: must equal the hash of the encoded bytes.
    expect(fnv1a64('日本語')).toBe('ee9ee2b5c854ef87');
    expect(fnv1a64('😀x')).toBe('4d5c34eed26afdd0');
  });

  test('canonical JSON sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"z":1}]},"b":1}',
    );
    expect(canonicalJson(undefined)).toBe('null');
  });

  test('key order never changes the hash; content always does', () => {
    const record = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
    fc.assert(
      fc.property(record, fc.string({ minLength: 1, maxLength: 4 }), (value, key) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(stableHash(reversed)).toBe(stableHash(value));
        const changed = { ...value, [key]: value[key] === 'x' ? 'y' : 'x' };
        expect(canonicalJson(changed)).not.toBe(canonicalJson(value));
      }),
      RUNS,
    );
  });
});
