import { mastersFirst, withSeriesIds } from '../../../shared/app/series-ids';
import { PullFailedError, runPull } from '../../../shared/sync';
import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import {
  NotFoundRemoteError,
  PermanentRemoteError,
  type ChangePage,
  type Link,
  type RemoteChange,
  type RemoteItem,
  type Side,
  type SideAdapter,
  type SyncPolicy,
  type UserRef,
} from '../../../shared/sync/types';
import { FaultPlan } from '../../property/support/faults';
import { MemoryAuditSink, MemoryIntentStore, MemoryLinkStore } from '../../property/support/memory-stores';
import { calendarEvent } from '../../support/calendar-event';

const user: UserRef = {
  pairId: 'pair-1',
  dingtalkUserId: 'zhang',
  dingtalkUnionId: 'union-zhang',
  entraId: 'entra-zhang',
  email: 'zhang@contoso.com',
};
const policy: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'propagate',
  bulkDeleteMaxShare: 1,
  dryRun: false,
};
const series = calendarEvent({
  subject: 'Standup',
  recurrence: {
    pattern: { type: 'daily', interval: 1 },
    range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 5 },
  },
});
const occurrenceOf = (masterId: string, subject = 'Standup (moved)') =>
  calendarEvent({ subject, seriesMasterId: masterId, originalStart: '2026-11-25T01:30:00Z' });

/**
 * One calendar of one side, in memory. Like the real adapters it takes seriesMasterId as an id of its own side:
 * an occurrence of a master it does not hold is "not found" (Graph answers 404 for the master's instances).
 */
class MemoryCalendar implements SideAdapter<CalendarEvent> {
  readonly kind = 'calendar' as const;
  readonly items = new Map<string, RemoteItem<CalendarEvent>>();
  /** Listing pages: ids in order; each call of listChanges returns the next page. */
  pages: string[][] = [];
  readonly calls: string[] = [];
  private next = 1;

  /** The calls that wrote something, in order. */
  writes(): string[] {
    return this.calls.filter((c) => !c.startsWith('list') && !c.startsWith('get'));
  }

  constructor(readonly side: Side) {}

  put(projection: CalendarEvent, id = `${this.side[0]}${this.next++}`): string {
    this.items.set(id, {
      id,
      version: `v${this.next++}`,
      modifiedAt: '2026-11-22T00:00:00Z',
      projection,
      matchKeys: [],
    });
    return id;
  }

  async listChanges(
    _user: UserRef,
    _folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<CalendarEvent>> {
    this.calls.push(`list ${cursor ?? 'start'}`);
    const index = cursor === undefined || cursor === 'done' ? 0 : Number(cursor);
    const ids = cursor === 'done' ? [] : (this.pages[index] ?? []);
    const more = cursor !== 'done' && index + 1 < this.pages.length;
    return {
      changes: ids.map((id) => structuredClone(this.items.get(id)!)),
      nextCursor: more ? String(index + 1) : 'done',
      fullListing: cursor === undefined,
      more,
    };
  }

  async get(_user: UserRef, id: string) {
    this.calls.push(`get ${id}`);
    return structuredClone(this.items.get(id));
  }

  async create(_user: UserRef, projection: CalendarEvent, originKey: string) {
    this.calls.push(
      `create ${projection.subject}${projection.seriesMasterId ? ` of ${projection.seriesMasterId}` : ''}`,
    );
    if (projection.seriesMasterId && !this.items.has(projection.seriesMasterId))
      throw new NotFoundRemoteError(`list series instances: no ${projection.seriesMasterId}`);
    const id = this.put(projection);
    return { ...structuredClone(this.items.get(id)!), originKey };
  }

  async findByOriginKey() {
    return undefined;
  }

  async update(_user: UserRef, id: string, projection: CalendarEvent) {
    this.calls.push(`update ${id}${projection.seriesMasterId ? ` of ${projection.seriesMasterId}` : ''}`);
    this.put(projection, id);
    return structuredClone(this.items.get(id)!);
  }

  async delete(_user: UserRef, id: string) {
    this.calls.push(`delete ${id}`);
    this.items.delete(id);
  }
}

function linksHolding(...links: Array<Partial<Link>>) {
  const lookups: string[] = [];
  return {
    lookups,
    async findBySideId(_user: UserRef, _kind: string, side: Side, id: string): Promise<Link | undefined> {
      lookups.push(`${side} ${id}`);
      const found = links.find((l) => (side === 'dingtalk' ? l.dingtalkId : l.outlookId) === id);
      return found && { linkId: 'l', kind: 'calendar', projectionHash: 'h', ...found };
    },
  };
}

describe('writing an occurrence: the series master id is translated to the written side', () => {
  test('create and update on Outlook get the Outlook id of the DingTalk master', async () => {
    const outlook = new MemoryCalendar('outlook');
    const master = outlook.put(series, 'o-master');
    const links = linksHolding({ dingtalkId: 'd-master', outlookId: master });
    const adapter = withSeriesIds(outlook, links);

    const created = await adapter.create(user, occurrenceOf('d-master'), 'key-1');
    await adapter.update(user, created.id, occurrenceOf('d-master', 'Standup (moved again)'));

    expect(links.lookups).toEqual(['dingtalk d-master', 'dingtalk d-master']);
    expect(outlook.calls).toEqual(['create Standup (moved) of o-master', `update ${created.id} of o-master`]);
    expect(outlook.items.get(created.id)!.projection).toMatchObject({
      subject: 'Standup (moved again)',
      seriesMasterId: 'o-master',
      originalStart: '2026-11-25T01:30:00Z',
    });
  });

  test('DingTalk gets the DingTalk id of an Outlook master', async () => {
    const dingtalk = new MemoryCalendar('dingtalk');
    dingtalk.put(series, 'd-master');
    const links = linksHolding({ dingtalkId: 'd-master', outlookId: 'o-master' });
    await withSeriesIds(dingtalk, links).update(user, 'd-occurrence', occurrenceOf('o-master'));
    expect(links.lookups).toEqual(['outlook o-master']);
    expect(dingtalk.calls).toEqual(['update d-occurrence of d-master']);
  });

  test('events that are no occurrence pass through without a lookup', async () => {
    const outlook = new MemoryCalendar('outlook');
    const links = linksHolding();
    await withSeriesIds(outlook, links).create(user, series, 'key-2');
    expect(links.lookups).toEqual([]);
    expect(outlook.calls).toEqual(['create Standup']);
  });

  test.each([
    ['has no link', [], /series master not synced yet/],
    ['has a link without an Outlook half', [{ dingtalkId: 'd-master' }], /series master not synced yet/],
    [
      'was deleted on both sides',
      [{ dingtalkId: 'd-master', outlookId: 'o-master', tombstone: true }],
      /series master deleted/,
    ],
  ])('a master that %s is refused for good, and nothing is written', async (_case, held, message) => {
    const outlook = new MemoryCalendar('outlook');
    const adapter = withSeriesIds(outlook, linksHolding(...(held as Array<Partial<Link>>)));
    await expect(adapter.create(user, occurrenceOf('d-master'), 'key-3')).rejects.toThrow(
      PermanentRemoteError,
    );
    await expect(adapter.update(user, 'o-occ', occurrenceOf('d-master'))).rejects.toThrow(message);
    expect(outlook.calls).toEqual([]);
  });
});

describe('what the inner adapter declares of its writes', () => {
  test('the writes the service refuses once the event moved on are declared as the inner adapter declares them', () => {
    const outlook = Object.assign(new MemoryCalendar('outlook'), {
      atomicConditionalWrites: ['update', 'delete'] as const,
    });
    expect(withSeriesIds(outlook, linksHolding()).atomicConditionalWrites).toEqual(['update', 'delete']);
    expect(
      withSeriesIds(new MemoryCalendar('dingtalk'), linksHolding()).atomicConditionalWrites,
    ).toBeUndefined();
  });
});

describe('listing: one page, series masters before occurrences', () => {
  test('every page is read, masters and single events come first, each id once in its latest state', async () => {
    const dingtalk = new MemoryCalendar('dingtalk');
    const occurrence = dingtalk.put(occurrenceOf('d-master'), 'd-occ');
    const single = dingtalk.put(calendarEvent({ subject: 'Lunch' }), 'd-single');
    const master = dingtalk.put(series, 'd-master');
    dingtalk.pages = [
      [occurrence, single],
      [master, single],
    ];
    const page = await withSeriesIds(dingtalk, linksHolding()).listChanges(user, 'primary', undefined);

    expect(page.changes.map((c) => c.id)).toEqual([master, single, occurrence]);
    expect(page).toMatchObject({ nextCursor: 'done', fullListing: true, more: false });
    expect(dingtalk.calls).toEqual(['list start', 'list 1']);
  });

  test('a deletion is not an occurrence, even of an id listed as one before', () => {
    const item = (id: string, p: CalendarEvent): RemoteChange<CalendarEvent> => ({
      id,
      version: '1',
      modifiedAt: '',
      projection: p,
      matchKeys: [],
    });
    const ordered = mastersFirst([
      item('x', occurrenceOf('m')),
      item('m', series),
      { id: 'x', deleted: true },
      item('y', occurrenceOf('m')),
    ]);
    expect(ordered).toEqual([
      expect.objectContaining({ id: 'm' }),
      { id: 'x', deleted: true },
      expect.objectContaining({ id: 'y' }),
    ]);
  });
});

describe('with the engine', () => {
  function world() {
    const faults = new FaultPlan();
    const dingtalk = new MemoryCalendar('dingtalk');
    const outlook = new MemoryCalendar('outlook');
    const links = new MemoryLinkStore(faults);
    const audit = new MemoryAuditSink(faults);
    const pull = (wrap: boolean, cursor?: string) =>
      runPull({
        user,
        pulled: { adapter: wrap ? withSeriesIds(dingtalk, links) : dingtalk, folder: 'primary' },
        other: { adapter: wrap ? withSeriesIds(outlook, links) : outlook, folder: 'calendar' },
        cursor,
        links,
        intents: new MemoryIntentStore(faults),
        audit,
        policy,
        now: () => Date.parse('2026-11-22T00:00:00Z'),
      });
    return { dingtalk, outlook, links, audit, pull };
  }

  test('an occurrence listed a page before its master becomes an occurrence of the Outlook copy of that master', async () => {
    const { dingtalk, outlook, links, pull } = world();
    dingtalk.put(occurrenceOf('d-master'), 'd-occ');
    dingtalk.put(series, 'd-master');
    dingtalk.pages = [['d-occ'], ['d-master']];

    const result = await pull(true);

    expect(result).toMatchObject({ outcome: 'synced', stats: { refused: 0 } });
    const outlookMaster = links.all().find((l) => l.dingtalkId === 'd-master')!.outlookId!;
    expect(outlook.writes()).toEqual(['create Standup', `create Standup (moved) of ${outlookMaster}`]);
    expect(
      links
        .all()
        .map((l) => l.dingtalkId)
        .sort(),
    ).toEqual(['d-master', 'd-occ']);
  });

  test('without the translation the occurrence fails the whole pull, retryably: the folder would never get past it', async () => {
    const { dingtalk, outlook, pull } = world();
    dingtalk.put(series, 'd-master');
    dingtalk.put(occurrenceOf('d-master'), 'd-occ');
    dingtalk.pages = [['d-master', 'd-occ']];

    const failure = await pull(false).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(PullFailedError);
    expect(failure).toMatchObject({ retryable: true });
    expect(outlook.writes()).toEqual(['create Standup', 'create Standup (moved) of d-master']);
  });

  test('an occurrence whose master is not synced is audited and skipped; the rest syncs and the cursor moves on', async () => {
    const { dingtalk, outlook, audit, pull } = world();
    dingtalk.put(occurrenceOf('d-elsewhere'), 'd-occ');
    dingtalk.put(calendarEvent({ subject: 'Lunch' }), 'd-single');
    dingtalk.pages = [['d-occ', 'd-single']];

    const result = await pull(true);

    expect(result).toMatchObject({ outcome: 'synced', cursor: 'done', stats: { refused: 1 } });
    expect(outlook.writes()).toEqual(['create Lunch']);
    expect(audit.rows.filter((r) => r.action === 'failure')).toEqual([
      expect.objectContaining({
        side: 'outlook',
        dingtalkId: 'd-occ',
        reason: expect.stringContaining('series master not synced yet'),
      }),
    ]);
  });
});

test('conditional updates and deletes keep their expected version through the series-id wrapper', async () => {
  const seen: Array<[string, string | undefined]> = [];
  const inner = {
    side: 'outlook',
    kind: 'calendar',
    update: async (_u: UserRef, id: string, projection: CalendarEvent, expected?: string) => {
      seen.push([`update ${id}`, expected]);
      return { id, version: 'v2', modifiedAt: '', projection, matchKeys: [] };
    },
    delete: async (_u: UserRef, id: string, expected?: string) => void seen.push([`delete ${id}`, expected]),
  } as unknown as SideAdapter<CalendarEvent>;
  const adapter = withSeriesIds(inner, new MemoryLinkStore(new FaultPlan()));
  await adapter.update(user, 'o1', calendarEvent({ subject: 'x' }), 'v1');
  await adapter.delete(user, 'o2', 'v7');
  expect(seen).toEqual([
    ['update o1', 'v1'],
    ['delete o2', 'v7'],
  ]);
});
