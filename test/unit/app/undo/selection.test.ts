import { checkCopy, selectLink, subjectOf, type UndoScope } from '../../../../shared/app/undo/selection';
import { originKeyFor } from '../../../../shared/sync/deterministic-keys';
import type { Link, RemoteItem } from '../../../../shared/sync/types';

const MAY = Date.UTC(2026, 4, 1);
const scope: UndoScope = { kind: 'calendar', fromMs: MAY, toMs: MAY + 31 * 86_400_000 };

const copyOnOutlook = (overrides: Partial<Link> = {}): Link => ({
  linkId: 'calendar-d-1',
  kind: 'calendar',
  dingtalkId: 'dt-1',
  outlookId: 'AAMk-1',
  dingtalkVersion: 'v1',
  outlookVersion: 'ck1',
  projectionHash: 'h',
  origin: 'dingtalk',
  copiedAt: '2026-05-10T08:00:00.000Z',
  ...overrides,
});

describe('undo selects from the link', () => {
  test('a copy made in the range is selected on the side opposite its origin', () => {
    expect(selectLink(copyOnOutlook(), scope)).toEqual({
      verdict: 'copy',
      side: 'outlook',
      id: 'AAMk-1',
      originId: 'dt-1',
      copiedAt: '2026-05-10T08:00:00.000Z',
      resumed: false,
    });
    expect(selectLink(copyOnOutlook({ origin: 'outlook' }), scope)).toMatchObject({
      verdict: 'copy',
      side: 'dingtalk',
      id: 'dt-1',
    });
  });

  test('the range includes its start and excludes its end', () => {
    expect(selectLink(copyOnOutlook({ copiedAt: new Date(MAY).toISOString() }), scope)?.verdict).toBe('copy');
    expect(selectLink(copyOnOutlook({ copiedAt: new Date(MAY - 1).toISOString() }), scope)).toBeUndefined();
    expect(
      selectLink(copyOnOutlook({ copiedAt: new Date(scope.toMs).toISOString() }), scope),
    ).toBeUndefined();
  });

  test('no copy, nothing to select: first-sync matches, tombstones, a copy a person already deleted', () => {
    expect(selectLink(copyOnOutlook({ origin: 'both', copiedAt: undefined }), scope)).toBeUndefined();
    expect(selectLink(copyOnOutlook({ tombstone: true }), scope)).toBeUndefined();
    expect(
      selectLink(copyOnOutlook({ outlookId: undefined, outlookVersion: undefined }), scope),
    ).toBeUndefined();
  });

  test('a link without a recorded origin or time is never guessed at', () => {
    expect(selectLink(copyOnOutlook({ origin: undefined, copiedAt: undefined }), scope)).toEqual({
      verdict: 'unknown',
    });
    expect(selectLink(copyOnOutlook({ copiedAt: undefined }), scope)).toEqual({ verdict: 'unknown' });
  });

  test('an original is reported as skipped when only the other side was asked for', () => {
    expect(selectLink(copyOnOutlook(), { ...scope, side: 'dingtalk' })).toEqual({
      verdict: 'skip',
      side: 'dingtalk',
      id: 'dt-1',
      copiedAt: '2026-05-10T08:00:00.000Z',
      reason: expect.stringContaining('an original'),
    });
    expect(selectLink(copyOnOutlook(), { ...scope, side: 'outlook' })?.verdict).toBe('copy');
  });

  test('a copy whose original is gone is all that is left of the item: skipped, never removed', () => {
    expect(
      selectLink(copyOnOutlook({ dingtalkId: undefined, dingtalkVersion: undefined }), scope),
    ).toMatchObject({
      verdict: 'skip',
      side: 'outlook',
      id: 'AAMk-1',
      reason: expect.stringContaining('all that is left'),
    });
  });

  test('an earlier undo: finished is done, unfinished is taken up again', () => {
    const at = '2026-06-01T00:00:00.000Z';
    expect(selectLink(copyOnOutlook({ undone: { side: 'outlook', id: 'AAMk-1', at } }), scope)).toEqual({
      verdict: 'done',
    });
    expect(
      selectLink(copyOnOutlook({ undone: { side: 'outlook', id: 'AAMk-1', at, pending: true } }), scope),
    ).toMatchObject({ verdict: 'copy', resumed: true });
  });
});

describe('undo checks the copy read right before its removal', () => {
  const stamp = originKeyFor({ pairId: 'p', kind: 'calendar', sourceSide: 'dingtalk', sourceId: 'dt-1' });
  const item = (originKey?: string): RemoteItem<unknown> => ({
    id: 'AAMk-1',
    version: 'ck2',
    modifiedAt: '2026-05-10T08:00:00Z',
    projection: { subject: 'Weekly 周会' },
    matchKeys: [],
    ...(originKey ? { originKey } : {}),
  });

  test('a copy still stamped by this product is removed at the version read', () => {
    expect(checkCopy(item(stamp))).toEqual({ verdict: 'remove', version: 'ck2', subject: 'Weekly 周会' });
  });

  test('a copy that is gone needs no removal', () => {
    expect(checkCopy(undefined)).toEqual({ verdict: 'gone' });
  });

  test('an item without our stamp, or with another stamp, is never touched', () => {
    expect(checkCopy(item())).toMatchObject({
      verdict: 'skip',
      reason: expect.stringContaining('no longer carries'),
    });
    expect(checkCopy(item('someone-else-1234'))).toMatchObject({
      verdict: 'skip',
      reason: expect.stringContaining('not this product'),
    });
  });

  test('what a person calls the item, for each kind', () => {
    expect(subjectOf({ subject: 'Call' })).toBe('Call');
    expect(subjectOf({ envelope: { subject: '报价单' } })).toBe('报价单');
    expect(subjectOf({ name: 'Wang Fang' })).toBe('Wang Fang');
    expect(subjectOf(undefined)).toBeUndefined();
  });
});
