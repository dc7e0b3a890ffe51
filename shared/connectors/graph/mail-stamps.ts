import { ORIGIN_KEY_PROPERTY_ID, odataString } from './outlook-event-stamps';
import type { GraphSingleValueExtendedProperty } from './wire-types';

/**
 * The extended properties of an imported message (Microsoft Graph, "Create single-value extended property";
 * MAPI tags from the Exchange Server protocol documents, [MS-OXPROPS]).
 *
 * Graph ignores receivedDateTime, sentDateTime and internetMessageHeaders on create, and a message created through
 * Graph is a draft unless PidTagMessageFlags says otherwise at creation (it cannot be changed afterwards:
 * microsoft-graph-docs-contrib#2790, mguessan/davmail#368). The MAPI properties below are what migration tools
 * set instead (DavMail's Graph backend, mguessan/davmail PR #517); Exchange documents none of this for Graph, so
 * the adapter checks what it got after each create (docs/mail.md, "Outlook side (Graph)").
 */

/** Our idempotency stamp: the same property set and name as on events, so one filter shape serves both. */
export const MAIL_ORIGIN_KEY_PROPERTY_ID = ORIGIN_KEY_PROPERTY_ID;

/** PidTagMessageFlags. */
export const PR_MESSAGE_FLAGS = 'Integer 0x0E07';
/** PidTagMessageDeliveryTime: what Graph shows as receivedDateTime. */
export const PR_MESSAGE_DELIVERY_TIME = 'SystemTime 0x0E06';
/** PidTagClientSubmitTime: what Graph shows as sentDateTime. */
export const PR_CLIENT_SUBMIT_TIME = 'SystemTime 0x0039';
/** PidTagInReplyToId and PidTagInternetReferences: threading headers, kept so Outlook groups replies. */
export const PR_IN_REPLY_TO_ID = 'String 0x1042';
export const PR_INTERNET_REFERENCES = 'String 0x1039';
/** PidTagTransportMessageHeaders: the original header block, what Outlook shows as "Internet headers". */
export const PR_TRANSPORT_MESSAGE_HEADERS = 'String 0x007D';
/** PidTagMessageSize: read only, the size Exchange reports for the envelope's size hint. */
export const PR_MESSAGE_SIZE = 'Integer 0x0E08';

/** MSGFLAG_READ. Leaving MSGFLAG_UNSENT (0x8) out is what makes the message a received one, not a draft. */
export const MSGFLAG_READ = 0x1;

/**
 * Longer header blocks are cut: a message that passed several relays and scanners can carry hundreds of kilobytes
 * of Received/ARC/DKIM lines, and all of it would count against the 4 MB request.
 */
export const MAX_TRANSPORT_HEADERS_CHARS = 32_000;

/** $expand with the message: our stamp and the size, nothing else. */
export const MAIL_STAMPS_EXPAND = `singleValueExtendedProperties($filter=id eq ${odataString(MAIL_ORIGIN_KEY_PROPERTY_ID)} or id eq ${odataString(PR_MESSAGE_SIZE)})`;

export interface MailStamps {
  originKey?: string;
  size?: number;
}

/** Graph may echo an id with other casing ("Integer 0xe08"), so ids compare by their canonical form. */
const canonical = (id: string) =>
  id.toLowerCase().replace(/0x0*([0-9a-f]+)/, (_m, hex: string) => `0x${hex}`);

export function readMailStamps(props: GraphSingleValueExtendedProperty[] | undefined): MailStamps {
  const out: MailStamps = {};
  for (const p of props ?? []) {
    const id = canonical(p.id);
    if (id === canonical(MAIL_ORIGIN_KEY_PROPERTY_ID) && p.value) out.originKey = p.value;
    if (id === canonical(PR_MESSAGE_SIZE) && p.value !== undefined) {
      const size = Number(p.value);
      if (Number.isFinite(size) && size >= 0) out.size = size;
    }
  }
  return out;
}

export interface ImportProperties {
  originKey: string;
  seen: boolean;
  receivedAt: string;
  sentAt?: string;
  inReplyTo?: string;
  references: string[];
  headerBlock?: string;
}

export function importProperties(p: ImportProperties): GraphSingleValueExtendedProperty[] {
  const props: GraphSingleValueExtendedProperty[] = [
    { id: MAIL_ORIGIN_KEY_PROPERTY_ID, value: p.originKey },
    { id: PR_MESSAGE_FLAGS, value: String(p.seen ? MSGFLAG_READ : 0) },
    { id: PR_MESSAGE_DELIVERY_TIME, value: p.receivedAt },
  ];
  if (p.sentAt) props.push({ id: PR_CLIENT_SUBMIT_TIME, value: p.sentAt });
  if (p.inReplyTo) props.push({ id: PR_IN_REPLY_TO_ID, value: p.inReplyTo });
  if (p.references.length) props.push({ id: PR_INTERNET_REFERENCES, value: p.references.join(' ') });
  if (p.headerBlock) {
    const headers = `${p.headerBlock.slice(0, MAX_TRANSPORT_HEADERS_CHARS)}\r\n\r\n`;
    props.push({ id: PR_TRANSPORT_MESSAGE_HEADERS, value: headers });
  }
  return props;
}
