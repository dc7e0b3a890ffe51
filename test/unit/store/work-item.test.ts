import type { WorkItem } from '../../../shared/store/types';
import {
  assertMessageFits,
  decodeWorkMessage,
  encodeWorkMessage,
  MAX_MESSAGE_BYTES,
} from '../../../shared/store/work-queue';
import { InvalidWorkItemError, parseWorkItem } from '../../../shared/store/work-item';

const work: WorkItem = { pairId: 'alice', kind: 'todo', side: 'dingtalk', folder: 'default', reason: 'poll' };

describe('parseWorkItem', () => {
  test('accepts an object or its JSON text, drops unknown fields, keeps resync', () => {
    expect(parseWorkItem(work)).toEqual(work);
    expect(parseWorkItem(JSON.stringify({ ...work, extra: 1 }))).toEqual(work);
    expect(parseWorkItem({ ...work, resync: true })).toEqual({ ...work, resync: true });
    expect(parseWorkItem(work)).not.toHaveProperty('resync');
  });

  test.each<[string, unknown, RegExp]>([
    ['not an object', 42, /\(root\)/],
    ['null', null, /\(root\)/],
    ['not JSON', '{pairId:', /not JSON/],
    ['an unknown kind', { ...work, kind: 'fax' }, /kind/],
    ['an unknown side', { ...work, side: 'gmail' }, /side/],
    ['an empty pair id', { ...work, pairId: '' }, /pairId/],
    ['a missing folder', { ...work, folder: undefined }, /folder/],
    ['a non-boolean resync', { ...work, resync: 'yes' }, /resync/],
  ])('refuses %s with a message naming the problem', (_, input, problem) => {
    expect(() => parseWorkItem(input)).toThrow(InvalidWorkItemError);
    expect(() => parseWorkItem(input)).toThrow(problem);
  });
});

describe('work messages', () => {
  test('are base64 JSON and decode back', () => {
    const text = encodeWorkMessage(work);
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(text, 'base64').toString())).toEqual(work);
    expect(decodeWorkMessage(text)).toEqual(work);
  });

  test('oversized fields are refused before sending; the largest valid item fits the queue', () => {
    const largest = {
      ...work,
      pairId: 'p'.repeat(256),
      folder: 'f'.repeat(1024),
      reason: 'r'.repeat(64),
      resync: true,
    };
    expect(() => encodeWorkMessage(largest)).not.toThrow();
    expect(() => encodeWorkMessage({ ...work, folder: 'f'.repeat(1025) })).toThrow(InvalidWorkItemError);
  });

  test('a message over 64 KiB is refused', () => {
    expect(assertMessageFits('A'.repeat(MAX_MESSAGE_BYTES))).toHaveLength(MAX_MESSAGE_BYTES);
    expect(() => assertMessageFits('A'.repeat(MAX_MESSAGE_BYTES + 1))).toThrow(/queue limit is 65536/);
  });

  test('plain JSON (not base64) on the queue is refused', () => {
    expect(() => decodeWorkMessage(JSON.stringify(work))).toThrow(/not base64/);
  });
});
