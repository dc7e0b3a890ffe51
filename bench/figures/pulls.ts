import type { CallCounts } from '../pipeline/call-counts';

/** The calls that read a source calendar's changes, as call-counts.ts names them. */
const PULL_KINDS: Record<'dingtalk' | 'outlook', (kind: string) => boolean> = {
  dingtalk: (kind) => kind.startsWith('dingtalk ListEvents'),
  outlook: (kind) => kind.startsWith('graph GET') && kind.includes('/delta'),
};

/** Calls of the kinds `matches` accepts between two readings. */
export function callsBetween(
  before: CallCounts,
  after: CallCounts,
  matches: (kind: string) => boolean,
): number {
  return Object.entries(after.remoteByKind)
    .filter(([kind]) => matches(kind))
    .reduce((sum, [kind, n]) => sum + n - (before.remoteByKind[kind] ?? 0), 0);
}

/** Pulls of the source side's changes (DingTalk ListEvents, Graph calendarView/delta) between two readings. */
export function pullsBetween(before: CallCounts, after: CallCounts, source: 'dingtalk' | 'outlook'): number {
  return callsBetween(before, after, PULL_KINDS[source]);
}
