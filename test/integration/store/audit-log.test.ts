import type { AuditEntry } from '../../../shared/sync/types';
import { freshStores } from './store-fixture';

const { stores } = freshStores();
const audit = stores.audit;

const entry = (at: string, reason: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at,
  pairId: 'alice',
  kind: 'calendar',
  side: 'outlook',
  action: 'create',
  dingtalkId: 'dt-1',
  reason,
  ...extra,
});

describe('TableAuditLog', () => {
  test('listDay returns one UTC day, newest first, including entries in the same millisecond', async () => {
    await audit.record(entry('2026-11-22T08:00:00.000Z', 'a'));
    await audit.record(entry('2026-11-22T23:59:59.999Z', 'c'));
    await audit.record(entry('2026-11-22T12:00:00.000Z', 'b1'));
    await audit.record(entry('2026-11-22T12:00:00.000Z', 'b2'));
    await audit.record(entry('2026-11-23T00:00:00.000Z', 'next day'));
    const day = await audit.listDay('20261122');
    expect(day.map((e) => e.reason)).toEqual([
      'c',
      expect.stringMatching(/^b[12]$/),
      expect.stringMatching(/^b[12]$/),
      'a',
    ]);
    expect((await audit.listDay('20261123')).map((e) => e.reason)).toEqual(['next day']);
  });

  test('an entry round-trips; a conflict keeps its detail, oversized detail is truncated not refused', async () => {
    const conflict = entry('2026-11-24T10:00:00.000Z', 'both changed', {
      action: 'conflict',
      outlookId: 'AAMk/x',
      detail: JSON.stringify({ dingtalk: 'v1', outlook: 'v2' }),
    });
    await audit.record(conflict);
    await audit.record(
      entry('2026-11-24T09:00:00.000Z', 'big', { detail: 'x'.repeat(100_000), side: undefined }),
    );
    const [first, second] = await audit.listDay('20261124');
    expect(first).toEqual(conflict);
    expect(second.side).toBeUndefined();
    expect(second.detail!.length).toBeLessThan(40_000);
  });

  test('a bad time or day is refused', async () => {
    await expect(audit.record(entry('yesterday', 'x'))).rejects.toThrow(/ISO 8601/);
    await expect(audit.listDay('2026-11-22')).rejects.toThrow(/yyyyMMdd/);
  });

  test('purgeBefore deletes older days only; purgeExpired keeps 365 days', async () => {
    await audit.record(entry('2025-11-20T08:00:00.000Z', 'old'));
    await audit.record(entry('2025-11-23T08:00:00.000Z', 'within a year'));
    const deleted = await audit.purgeExpired(Date.parse('2026-11-22T08:00:00Z'));
    expect(deleted).toBe(1);
    expect(await audit.listDay('20251120')).toEqual([]);
    expect(await audit.listDay('20251123')).toHaveLength(1);
    expect(await audit.listDay('20261122')).toHaveLength(4);
  });
});
