import type { CalendarEvent } from '../../sync/calendar-event';
import type { RemoteChange } from '../../sync/types';
import { toRemoteItem, type CalendarMapperOptions } from './calendar-mapper';
import { changeKeyOfEtag } from './event-etag';
import type { GraphEvent } from './wire-types';

/**
 * Turns the rows of one calendarView/delta page into changes the engine can trust.
 *
 * - Rows are re-read with GET: delta cannot $expand, and our stamps (mirror attendees, origin key) live in
 *   extended properties. A GET that finds nothing is an authoritative deletion.
 * - Occurrences collapse into their series master (calendarView delta never returns masters), which is
 *   reported once and before the exceptions that refer to it. A changed exception alone does not re-read a master
 *   an earlier page already reported (the cursor tracks those): one GET per edited occurrence, not two.
 * - `@removed` is not a deletion by itself: Graph also reports events that moved or changed outside the
 *   window that way (event-delta doc). Each one is checked with GET; only "not found" becomes a deletion, an
 *   event that still exists is reported as an update.
 * - A deleted series appears only as removed occurrences, whose ids say nothing about the master. When a
 *   removal cannot be resolved, the masters known from earlier pages are checked for existence.
 * - What the pull's links already know is not read again (`known`): a row whose changeKey is the version its link
 *   holds is, by the engine's first rule, unchanged (our own write's echo, or a change already synced), whatever
 *   its stamps say, so it is reported from the row itself; and a removal of an item whose link is a tombstone
 *   (deleted on both sides, ids never come back) is reported as the deletion it is. The engine decides both
 *   without a write (rows L1, T1, D2 of docs/sync-engine.md). Everything else is read as above: a new item (it may
 *   be our own copy, whose origin key only the stamps tell), a changed one, a master, a removal of a live link.
 */

export interface EventReader {
  /** GET with stamps; undefined when Graph answers 404. */
  read(id: string): Promise<GraphEvent | undefined>;
}

/** What the links of the pull say of one Outlook id: the version they hold for it, and whether it is a tombstone. */
export interface KnownItem {
  version: string | undefined;
  tombstone: boolean;
}

/** The links' view of a page's ids; ids without a link are absent from the answer. */
export type KnownItems = (ids: string[]) => Promise<Map<string, KnownItem>>;

export interface ResolvedPage {
  changes: RemoteChange<CalendarEvent>[];
  masters: string[];
}

export async function resolveDeltaRows(
  rows: GraphEvent[],
  knownMasters: string[],
  reader: EventReader,
  mapper: CalendarMapperOptions,
  maxTrackedMasters: number,
  known?: KnownItems,
): Promise<ResolvedPage> {
  const links = known ? await known(idsWithLinks(rows)) : new Map<string, KnownItem>();
  const masterIds = new Set<string>();
  const itemIds = new Set<string>();
  const removedIds = new Set<string>();
  const unchanged = new Map<string, RemoteChange<CalendarEvent>>();
  for (const row of rows) {
    if (row['@removed']) {
      removedIds.add(row.id);
      continue;
    }
    removedIds.delete(row.id);
    if (row.type === 'occurrence' && row.seriesMasterId) masterIds.add(row.seriesMasterId);
    else if (row.type === 'seriesMaster') masterIds.add(row.id);
    else if (holdsVersion(links.get(row.id), row)) {
      itemIds.delete(row.id);
      unchanged.set(row.id, toRemoteItem(row, mapper));
    } else {
      unchanged.delete(row.id);
      if (row.type === 'exception' && row.seriesMasterId && !knownMasters.includes(row.seriesMasterId))
        masterIds.add(row.seriesMasterId);
      itemIds.add(row.id);
    }
  }

  const masters = new Map<string, RemoteChange<CalendarEvent>>();
  const items = new Map<string, RemoteChange<CalendarEvent>>();
  let unresolvedRemoval = false;

  const readInto = async (id: string, target: Map<string, RemoteChange<CalendarEvent>>) => {
    const ev = await reader.read(id);
    if (!ev) {
      target.set(id, { id, deleted: true });
      return false;
    }
    if (ev.type === 'occurrence' && ev.seriesMasterId) {
      if (!masters.has(ev.seriesMasterId)) await readInto(ev.seriesMasterId, masters);
      return true;
    }
    target.set(ev.id, toRemoteItem(ev, mapper));
    return true;
  };

  await Promise.all([...masterIds].map((id) => readInto(id, masters)));
  await Promise.all([...itemIds].filter((id) => !masters.has(id)).map((id) => readInto(id, items)));
  for (const [id, item] of unchanged) {
    if (!masters.has(id) && !items.has(id) && !removedIds.has(id)) items.set(id, item);
  }
  await Promise.all(
    [...removedIds]
      .filter((id) => !masters.has(id) && !items.has(id))
      .map(async (id) => {
        if (links.get(id)?.tombstone) items.set(id, { id, deleted: true });
        else if (!(await readInto(id, items))) unresolvedRemoval = true;
      }),
  );

  let tracked = [...knownMasters.filter((id) => !masters.has(id)), ...[...masters.keys()]];
  if (unresolvedRemoval) {
    const unchecked = knownMasters.filter((id) => !masters.has(id));
    await Promise.all(unchecked.map((id) => readInto(id, masters)));
  }
  const gone = new Set([...masters.values(), ...items.values()].filter((c) => c.deleted).map((c) => c.id));
  tracked = tracked.filter((id) => !gone.has(id)).slice(-maxTrackedMasters);

  return { changes: [...masters.values(), ...items.values()], masters: tracked };
}

/** The link holds exactly the row's version: the row is what we last wrote or synced. */
function holdsVersion(link: KnownItem | undefined, row: GraphEvent): boolean {
  const version = row.changeKey ?? changeKeyOfEtag(row['@odata.etag']);
  return link?.version !== undefined && version !== undefined && link.version === version;
}

/**
 * The ids whose links the page needs: every row's own id but an occurrence's (occurrences are never linked, their
 * series is), and the series of occurrences and exceptions, which the engine looks up next anyway. Looked up
 * together, the engine's own lookups of the page's changes then cost nothing.
 */
function idsWithLinks(rows: GraphEvent[]): string[] {
  const ids = new Set<string>();
  for (const row of rows) {
    if (row.type !== 'occurrence' || row['@removed']) ids.add(row.id);
    if (row.seriesMasterId && !row['@removed']) ids.add(row.seriesMasterId);
  }
  return [...ids];
}
