import type { CalendarEvent } from '../../sync/calendar-event';
import type { RemoteChange } from '../../sync/types';
import { toRemoteItem, type CalendarMapperOptions } from './calendar-mapper';
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
 */

export interface EventReader {
  /** GET with stamps; undefined when Graph answers 404. */
  read(id: string): Promise<GraphEvent | undefined>;
}

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
): Promise<ResolvedPage> {
  const masterIds = new Set<string>();
  const itemIds = new Set<string>();
  const removedIds = new Set<string>();
  for (const row of rows) {
    if (row['@removed']) {
      removedIds.add(row.id);
      continue;
    }
    removedIds.delete(row.id);
    if (row.type === 'occurrence' && row.seriesMasterId) masterIds.add(row.seriesMasterId);
    else if (row.type === 'seriesMaster') masterIds.add(row.id);
    else {
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
  await Promise.all(
    [...removedIds]
      .filter((id) => !masters.has(id) && !items.has(id))
      .map(async (id) => {
        if (!(await readInto(id, items))) unresolvedRemoval = true;
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
