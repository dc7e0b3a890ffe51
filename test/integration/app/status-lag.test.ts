import { setAppContext, type AppContext } from '../../../shared/app/context';
import { lagChart, readLagSeries } from '../../../shared/app/status/lag-chart';
import { ManualClock } from '../../../shared/platform/clock';
import type { AuditEntry, Kind } from '../../../shared/sync/types';
import { World } from '../../property/support/world';
import { createTestApp, type TestApp } from '../../support/app-context';

/** The propagation lag a write's audit row records for the status page's picture (shared/sync/audit-rows.ts). */

test('creates and updates from a delta listing record their lag; a first sync and deletes do not', async () => {
  const world = new World();
  world.sides.dingtalk.userCreate({ uid: 'u1', title: 'first', body: '' });
  await world.pull('dingtalk');
  const first = world.audit.rows.filter((r) => r.action === 'create');
  expect(first).toHaveLength(1);
  expect(first[0].lagMs).toBeUndefined();
  const before = world.audit.rows.length;

  world.sides.dingtalk.userCreate({ uid: 'u2', title: 'second', body: '' });
  world.sides.dingtalk.userUpdate('d1', { uid: 'u1', title: 'first, edited', body: '' });
  await world.pull('dingtalk');
  const writes = world.audit.rows.slice(before);
  expect(writes.map((r) => r.action).sort()).toEqual(['create', 'update']);
  for (const row of writes) {
    expect(typeof row.lagMs).toBe('number');
    expect(row.lagMs).toBeGreaterThanOrEqual(0);
  }

  world.sides.dingtalk.userDelete('d2');
  await world.pull('dingtalk');
  const deleted = world.audit.rows.at(-1)!;
  expect(deleted.action).toBe('delete');
  expect(deleted.lagMs).toBeUndefined();
});

describe('the picture', () => {
  let app: TestApp;
  const NOW = Date.parse('2026-12-01T10:30:00Z');
  beforeEach(() => {
    app = createTestApp({ clock: new ManualClock(NOW), env: { SYNC_KINDS: 'calendar,mail' } });
  });
  afterEach(() => setAppContext(undefined as unknown as AppContext));

  const write = (minutesAgo: number, kind: Kind, lagMs?: number): AuditEntry => ({
    at: new Date(NOW - minutesAgo * 60_000).toISOString(),
    pairId: 'p1',
    kind,
    side: 'outlook',
    action: 'create',
    reason: 'N4: new item',
    ...(lagMs === undefined ? {} : { lagMs }),
  });

  test('per kind and hour, the median of the rows that hold a lag, across the day boundary', async () => {
    await app.stores.audit.recordMany([
      write(5, 'calendar', 2_000),
      write(10, 'calendar', 4_000),
      write(20, 'calendar', 9_000),
      write(15, 'calendar'), // no lag recorded: not counted
      write(11 * 60, 'calendar', 60_000), // 23:30 the day before
      write(25 * 60, 'calendar', 1), // outside the 24 hours
      write(40, 'mail', 30_000),
    ]);
    const series = await readLagSeries(app.stores.audit, ['calendar', 'mail'], NOW);
    const calendar = series.find((s) => s.kind === 'calendar')!;
    expect(calendar.points).toHaveLength(24);
    const hour = (iso: string) => calendar.points.find((p) => p.hourStart === Date.parse(iso))!;
    expect(hour('2026-12-01T10:00:00Z')).toMatchObject({ rows: 3, medianMs: 4_000 });
    expect(hour('2026-11-30T23:00:00Z')).toMatchObject({ rows: 1, medianMs: 60_000 });
    expect(calendar.points.reduce((n, p) => n + p.rows, 0)).toBe(4);
    const mail = series.find((s) => s.kind === 'mail')!;
    expect(mail.points.find((p) => p.rows > 0)).toMatchObject({
      hourStart: Date.parse('2026-12-01T09:00:00Z'),
      medianMs: 30_000,
    });

    const html = lagChart(series);
    expect(html).toContain('<svg id="lag-chart"');
    expect(html).toContain('<polyline');
    expect(html).not.toMatch(/<script|href="http/);
    expect(lagChart(await readLagSeries(app.stores.audit, ['todo'], NOW))).toContain(
      'No write with a recorded lag',
    );
  });
});
