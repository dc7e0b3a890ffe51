import type { UserPair, WorkItem } from '../store/types';
import type { Kind, Side } from '../sync/types';

/** The folder each side of a kind syncs: the worker, the sweep and the subscriptions must agree on it. */
export const FOLDERS: Record<Kind, Record<Side, string>> = {
  calendar: { dingtalk: 'primary', outlook: 'calendar' },
  mail: { dingtalk: 'INBOX', outlook: 'inbox' },
  // The Sent folder's name differs by server and language: the IMAP side finds the folder marked \Sent.
  sentmail: { dingtalk: '\\Sent', outlook: 'sentitems' },
  todo: { dingtalk: 'tasks', outlook: 'dingtalk' },
  contact: { dingtalk: 'extcontacts', outlook: 'dingtalk' },
};

/**
 * Sides of a kind that have no push and are pulled by a poll chain instead (worker.ts, poll-slots.ts): DingTalk
 * mail is read over IMAP, which pushes nothing to an app; to-dos and external contacts push nothing on either side
 * (no DingTalk event for org apps; Graph's To Do notifications are delegated-only, and the contact folder is polled
 * with it). A safety sweep adds nothing to a folder polled this often, and DingTalk's sweep budget counts metered
 * API calls, which the polls pay for themselves (poll-cadence.ts).
 */
export const POLLED: Partial<Record<Kind, readonly Side[]>> = {
  mail: ['dingtalk'],
  sentmail: ['dingtalk'],
  todo: ['dingtalk', 'outlook'],
  contact: ['dingtalk', 'outlook'],
};

export const isPolled = (kind: Kind, side: Side): boolean => POLLED[kind]?.includes(side) ?? false;

/** One pull per enabled kind of the pair on each given side. */
export function folderWork(
  pair: Pick<UserPair, 'pairId' | 'enabledKinds'>,
  sides: readonly Side[],
  reason: string,
  options: { skipPolled?: boolean } = {},
): WorkItem[] {
  return pair.enabledKinds.flatMap((kind) =>
    sides
      .filter((side) => !(options.skipPolled && isPolled(kind, side)))
      .map((side) => ({ pairId: pair.pairId, kind, side, folder: FOLDERS[kind][side], reason })),
  );
}
