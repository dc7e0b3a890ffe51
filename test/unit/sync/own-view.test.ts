import { markDryCursor } from '../../../shared/sync/dry-run';
import type { SideEndpoint } from '../../../shared/sync/engine-context';
import { cursorWithOwnView } from '../../../shared/sync/own-view';
import type { SideAdapter, UserRef } from '../../../shared/sync/types';

const user = { pairId: 'p1' } as UserRef;

function endpoint(withView: boolean): { endpoint: SideEndpoint<unknown>; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const adapter = {
    side: 'dingtalk',
    kind: 'mail',
    ...(withView && {
      cursorWithOwnView: (...args: unknown[]) => {
        calls.push(args);
        return `${String(args[2])}+ours`;
      },
    }),
  } as unknown as SideAdapter<unknown>;
  return { endpoint: { adapter, folder: 'INBOX' }, calls };
}

describe('cursorWithOwnView', () => {
  test("asks the side for its own view of a live cursor, with the user and the endpoint's folder", () => {
    const { endpoint: e, calls } = endpoint(true);
    expect(cursorWithOwnView(user, e, 'c1')).toBe('c1+ours');
    expect(calls).toEqual([[user, 'INBOX', 'c1']]);
  });

  test('leaves a missing cursor, a dry run cursor and a side without a snapshot alone', () => {
    const { endpoint: e, calls } = endpoint(true);
    expect(cursorWithOwnView(user, e, undefined)).toBeUndefined();
    const dry = markDryCursor({ dryRun: true } as never, 'c1');
    expect(cursorWithOwnView(user, e, dry)).toBe(dry);
    expect(calls).toEqual([]);
    expect(cursorWithOwnView(user, endpoint(false).endpoint, 'c1')).toBe('c1');
  });
});
