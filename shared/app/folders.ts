import type { UserPair, WorkItem } from '../store/types';
import type { Kind, Side } from '../sync/types';

/** The folder each side of a kind syncs: the worker, the sweep and the subscriptions must agree on it. */
export const FOLDERS: Record<Kind, Record<Side, string>> = {
  calendar: { dingtalk: 'primary', outlook: 'calendar' },
  mail: { dingtalk: 'INBOX', outlook: 'inbox' },
  todo: { dingtalk: 'tasks', outlook: 'dingtalk' },
  contact: { dingtalk: 'extcontacts', outlook: 'dingtalk' },
};

/** One pull per enabled kind of the pair on each given side. */
export function folderWork(
  pair: Pick<UserPair, 'pairId' | 'enabledKinds'>,
  sides: readonly Side[],
  reason: string,
): WorkItem[] {
  return pair.enabledKinds.flatMap((kind) =>
    sides.map((side) => ({ pairId: pair.pairId, kind, side, folder: FOLDERS[kind][side], reason })),
  );
}
