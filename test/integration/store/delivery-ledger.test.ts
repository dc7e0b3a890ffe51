import { freshStores } from './store-fixture';

const { stores } = freshStores();
const ledger = stores.deliveries;
const NOON = Date.parse('2026-11-22T12:00:00Z');

describe('TableDeliveryLedger', () => {
  test('first delivery is new, every repeat is not', async () => {
    expect(await ledger.firstSeen('graph', 'notification/1', NOON)).toBe(true);
    expect(await ledger.firstSeen('graph', 'notification/1', NOON + 1000)).toBe(false);
    expect(await ledger.firstSeen('graph', 'notification/1', NOON + 2000)).toBe(false);
  });

  test('seen reads without recording: false until the delivery is recorded, true after, also just after midnight', async () => {
    expect(await ledger.seen('graph', 'read-only', NOON)).toBe(false);
    expect(await ledger.seen('graph', 'read-only', NOON)).toBe(false);
    await ledger.firstSeen('graph', 'read-only', NOON);
    expect(await ledger.seen('graph', 'read-only', NOON + 1000)).toBe(true);
    const lateEvening = Date.parse('2026-11-22T23:59:00Z');
    await ledger.firstSeen('dingtalk', 'across-midnight', lateEvening);
    expect(await ledger.seen('dingtalk', 'across-midnight', lateEvening + 120_000)).toBe(true);
  });

  test('sources are separate', async () => {
    expect(await ledger.firstSeen('dingtalk', 'same-id', NOON)).toBe(true);
    expect(await ledger.firstSeen('graph', 'same-id', NOON)).toBe(true);
  });

  test('concurrent deliveries of one id: exactly one is first', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => ledger.firstSeen('dingtalk', 'burst', NOON)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test('a repeat just after midnight UTC is still recognised', async () => {
    const beforeMidnight = Date.parse('2026-11-22T23:59:00Z');
    expect(await ledger.firstSeen('graph', 'late', beforeMidnight)).toBe(true);
    expect(await ledger.firstSeen('graph', 'late', beforeMidnight + 2 * 60_000)).toBe(false);
  });

  test('purgeBefore removes older days of both sources', async () => {
    await ledger.firstSeen('graph', 'old-1', Date.parse('2026-11-01T12:00:00Z'));
    await ledger.firstSeen('dingtalk', 'old-2', Date.parse('2026-11-02T12:00:00Z'));
    expect(await ledger.purgeBefore('20261122')).toBe(2);
    expect(await ledger.firstSeen('graph', 'old-1', Date.parse('2026-11-01T12:00:00Z'))).toBe(true);
    expect(await ledger.firstSeen('graph', 'notification/1', NOON)).toBe(false);
  });
});
