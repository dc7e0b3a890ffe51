import type { Attendee } from '../../sync/calendar-event';
import type { GraphEvent, GraphSingleValueExtendedProperty } from './wire-types';

/**
 * Single-value extended properties we stamp on events we create in Outlook (Microsoft Graph's documentation):
 * - SyncOriginKey: the idempotency key of the create; filterable by value, so findByOriginKey can find an event
 *   whose create answer was lost. (transactionId carries the same key, but Graph documents no $filter on it.)
 * - SyncMirror: what the mirror carries but must not express as Graph properties: the attendee list (Graph
 *   attendees would make Outlook send invitations), the other side's organizer, the join link (onlineMeeting is
 *   read-only) and cancellation.
 */

const PROPERTY_SET = '{8f4b2a6e-5c1d-4e7a-9b3f-2d6c8a1e4f70}';
export const ORIGIN_KEY_PROPERTY_ID = `String ${PROPERTY_SET} Name SyncOriginKey`;
export const MIRROR_PROPERTY_ID = `String ${PROPERTY_SET} Name SyncMirror`;

export interface MirrorStamp {
  attendees?: Attendee[];
  /** The organizer on the other side; in Outlook the mailbox owner is the organizer of the mirror. */
  organizerEmail?: string;
  onlineMeetingUrl?: string;
  cancelled?: boolean;
}

/** OData string literal: single quotes doubled. */
export const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** $expand that returns our two stamps (and nothing else) with an event. */
export const STAMPS_EXPAND = `singleValueExtendedProperties($filter=id eq ${odataString(ORIGIN_KEY_PROPERTY_ID)} or id eq ${odataString(MIRROR_PROPERTY_ID)})`;

export function originKeyFilter(originKey: string): string {
  return `singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(ORIGIN_KEY_PROPERTY_ID)} and ep/value eq ${odataString(originKey)})`;
}

export function stampProperties(
  originKey: string | undefined,
  mirror: MirrorStamp,
): GraphSingleValueExtendedProperty[] {
  const props: GraphSingleValueExtendedProperty[] = [
    { id: MIRROR_PROPERTY_ID, value: JSON.stringify(mirror) },
  ];
  if (originKey !== undefined) props.unshift({ id: ORIGIN_KEY_PROPERTY_ID, value: originKey });
  return props;
}

export interface EventStamps {
  originKey?: string;
  mirror?: MirrorStamp;
}

export function readStamps(ev: GraphEvent): EventStamps {
  const out: EventStamps = {};
  for (const p of ev.singleValueExtendedProperties ?? []) {
    // Graph may echo the id with different casing of the type and GUID.
    const id = p.id.toLowerCase();
    if (id === ORIGIN_KEY_PROPERTY_ID.toLowerCase()) out.originKey = p.value;
    if (id === MIRROR_PROPERTY_ID.toLowerCase() && p.value) out.mirror = parseMirror(p.value);
  }
  return out;
}

function parseMirror(value: string): MirrorStamp | undefined {
  try {
    const parsed = JSON.parse(value) as MirrorStamp;
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
