import { EntityTooLargeError, InvalidKeyError } from '../../../shared/store/errors';
import {
  assertEntityFits,
  entity,
  estimateEntityBytes,
  MAX_CUSTOM_PROPERTIES,
  MAX_ENTITY_BYTES,
} from '../../../shared/store/entity-size';

describe('entity size validation (Azure limits Azurite does not enforce)', () => {
  test('estimate follows the service formula', () => {
    // 4 + (1 + 2) * 2 + [8 + 1*2 + (3*2 + 4)] + [8 + 1*2 + 1] + [8 + 1*2 + 8] = 10 + 20 + 11 + 18
    expect(estimateEntityBytes({ partitionKey: 'p', rowKey: 'rk', s: 'abc', b: true, n: 5 })).toBe(59);
  });

  test('accepts 252 custom properties, refuses 253', () => {
    const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, i]));
    expect(() => entity('p', 'r', props(MAX_CUSTOM_PROPERTIES))).not.toThrow();
    expect(() => entity('p', 'r', props(MAX_CUSTOM_PROPERTIES + 1))).toThrow(
      /253 properties; the limit is 252/,
    );
  });

  test('a string property may hold 32 Ki UTF-16 characters (64 KiB), not one more', () => {
    expect(() => entity('p', 'r', { s: 'x'.repeat(32 * 1024) })).not.toThrow();
    expect(() => entity('p', 'r', { s: 'x'.repeat(32 * 1024 + 1) })).toThrow(EntityTooLargeError);
  });

  test('a binary property may hold 64 KiB', () => {
    expect(() => entity('p', 'r', { b: new Uint8Array(64 * 1024) })).not.toThrow();
    expect(() => entity('p', 'r', { b: new Uint8Array(64 * 1024 + 1) })).toThrow(/64 KiB/);
  });

  test('many properties each within limits can still exceed 1 MiB in total', () => {
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, 'x'.repeat(30_000)]));
    expect(() => assertEntityFits({ partitionKey: 'p', rowKey: 'r', ...big })).toThrow(/1 MiB/);
    const fits = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`s${i}`, 'x'.repeat(30_000)]));
    expect(estimateEntityBytes({ partitionKey: 'p', rowKey: 'r', ...fits })).toBeLessThan(MAX_ENTITY_BYTES);
  });

  test('entity() checks keys and drops undefined properties', () => {
    expect(() => entity('a/b', 'r', {})).toThrow(InvalidKeyError);
    expect(() => entity('p', '', {})).toThrow(InvalidKeyError);
    expect(entity('p', 'r', { a: 1, b: undefined })).toEqual({ partitionKey: 'p', rowKey: 'r', a: 1 });
  });
});
