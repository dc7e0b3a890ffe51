import type { KnownItem } from '../connectors/graph/calendar-page-resolver';
import type { LinkStore, UserRef } from '../sync/types';

/**
 * What the links of one pull say of listed Outlook calendar ids: the version each link holds and whether it is a
 * tombstone. One query per 14 ids for those the pull has not looked up yet (the worker read the hinted items' links
 * with the state row); the engine's lookups of the same ids right after the listing are then served from memory.
 */
export function knownItems(
  links: Pick<LinkStore, 'findBySideId' | 'prefetch'>,
): (user: UserRef, ids: string[]) => Promise<Map<string, KnownItem>> {
  return async (user, ids) => {
    await links.prefetch?.(user, 'calendar', 'outlook', ids);
    const known = new Map<string, KnownItem>();
    for (const id of ids) {
      const link = await links.findBySideId(user, 'calendar', 'outlook', id);
      // An undone link's removals go nowhere either (docs/undo.md): like a tombstone's, they need no read.
      const settled = link?.tombstone === true || link?.undone !== undefined;
      if (link) known.set(id, { version: link.outlookVersion, tombstone: settled });
    }
    return known;
  };
}
