import type { ReceivedMessageItem } from '@azure/storage-queue';
import {
  decodeMessageText,
  normalizeQueueName,
  poisonQueueNameOf,
  triggerInputOf,
  triggerMetadataOf,
} from '../../../sandbox/host/queues/queue-message';

test('queue names are lower-cased, then validated', () => {
  expect(normalizeQueueName('Sync-Work')).toBe('sync-work');
  expect(() => normalizeQueueName('ab')).toThrow(/Invalid queue name/);
  expect(() => normalizeQueueName('double--hyphen')).toThrow(/Invalid queue name/);
  expect(() => normalizeQueueName('-leading')).toThrow(/Invalid queue name/);
  expect(() => normalizeQueueName('under_score')).toThrow(/Invalid queue name/);
});

test('the poison queue is <queue>-poison, except for poison queues and names too long for the suffix', () => {
  expect(poisonQueueNameOf('work')).toBe('work-poison');
  expect(poisonQueueNameOf('work-poison')).toBeUndefined();
  expect(poisonQueueNameOf('a'.repeat(56))).toBe(`${'a'.repeat(56)}-poison`);
  expect(poisonQueueNameOf('a'.repeat(57))).toBeUndefined();
});

test('base64 bodies are decoded; anything else is undecodable unless messageEncoding is none', () => {
  expect(decodeMessageText(Buffer.from('{"a":"é"}').toString('base64'), 'base64')).toBe('{"a":"é"}');
  expect(decodeMessageText('{"a":1}', 'base64')).toBeUndefined();
  expect(decodeMessageText('abc', 'base64')).toBeUndefined();
  expect(decodeMessageText('{"a":1}', 'none')).toBe('{"a":1}');
});

test('JSON text becomes a value, other text stays a string', () => {
  expect(triggerInputOf('{"a":[1,2]}')).toEqual({ a: [1, 2] });
  expect(triggerInputOf('42')).toBe(42);
  expect(triggerInputOf('plain words')).toBe('plain words');
});

test('trigger metadata carries the message system properties, camel-cased', () => {
  const item = {
    messageId: 'm1',
    popReceipt: 'r1',
    dequeueCount: 3,
    insertedOn: new Date('2026-01-01T00:00:00Z'),
    expiresOn: new Date('2026-01-08T00:00:00Z'),
    nextVisibleOn: new Date('2026-01-01T00:10:00Z'),
    messageText: 'eyJ9',
  } as ReceivedMessageItem;
  expect(triggerMetadataOf(item, '{}', 'work')).toMatchObject({
    queueTrigger: '{}',
    id: 'm1',
    popReceipt: 'r1',
    dequeueCount: 3,
    insertionTime: '2026-01-01T00:00:00.000Z',
    expirationTime: '2026-01-08T00:00:00.000Z',
    nextVisibleTime: '2026-01-01T00:10:00.000Z',
    sys: { methodName: 'work' },
  });
});
