import { isDryCursor } from './dry-run';
import type { SideEndpoint } from './engine-context';
import type { UserRef } from './types';

/**
 * A side's cursor with what this process wrote to or read from its folder (SideAdapter.cursorWithOwnView), to be
 * stored with a pull's commit: the pulled side's new cursor and the other side's stored one. A side that keeps no
 * such snapshot, a dry run's cursor and a missing cursor are returned as they are.
 */
export function cursorWithOwnView(
  user: UserRef,
  endpoint: SideEndpoint<unknown>,
  cursor: string | undefined,
): string | undefined {
  const adapter = endpoint.adapter;
  if (cursor === undefined || isDryCursor(cursor) || !adapter.cursorWithOwnView) return cursor;
  return adapter.cursorWithOwnView(user, endpoint.folder, cursor);
}
