import { contactMatchKeys, type ContactCard } from '../../sync/contact-card';
import type { RemoteItem } from '../../sync/types';
import { changeKeyOfEtag } from './event-etag';
import { ORIGIN_KEY_PROPERTY_ID, odataString } from './outlook-event-stamps';
import type { GraphEmailAddress, GraphSingleValueExtendedProperty } from './wire-types';

/**
 * Outlook contacts (Microsoft Graph v1.0 "contact resource type") ⇄ the canonical ContactCard:
 *
 *   name     ⇄ displayName (written with givenName, see below)
 *   company  ⇄ companyName              title  ⇄ jobTitle
 *   email    ⇄ emailAddresses[0].address, lower-cased (the others are kept on update)
 *   mobile   ⇄ mobilePhone, as "+<country code> <number>"
 *   address  ⇄ businessAddress: street, city, state, postalCode, countryOrRegion joined by ", "; written to street
 *   notes    ⇄ personalNotes
 *   labels   ⇄ categories that are DingTalk labels (the others are the person's own and are kept on update)
 *
 * The contact page warns that "later updates to other properties may cause an automatically generated value to
 * overwrite the displayName value you have specified. To preserve a pre-existing value, always include it as
 * displayName in an update operation", so every update carries displayName, and a create sets givenName too so
 * that Outlook's name fields and "file as" are not empty.
 */

export interface GraphPhysicalAddress {
  street?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  countryOrRegion?: string | null;
}

export interface GraphContact {
  id: string;
  '@odata.etag'?: string;
  '@removed'?: { reason?: string };
  changeKey?: string | null;
  lastModifiedDateTime?: string | null;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  companyName?: string | null;
  jobTitle?: string | null;
  emailAddresses?: GraphEmailAddress[] | null;
  mobilePhone?: string | null;
  businessAddress?: GraphPhysicalAddress | null;
  personalNotes?: string | null;
  categories?: string[] | null;
  singleValueExtendedProperties?: GraphSingleValueExtendedProperty[];
}

/** What we send on POST/PATCH of a contact (null clears a property). */
export interface GraphContactWrite {
  displayName?: string;
  givenName?: string | null;
  surname?: string | null;
  companyName?: string | null;
  jobTitle?: string | null;
  emailAddresses?: GraphEmailAddress[];
  mobilePhone?: string | null;
  businessAddress?: GraphPhysicalAddress | null;
  personalNotes?: string | null;
  categories?: string[];
  singleValueExtendedProperties?: GraphSingleValueExtendedProperty[];
}

/** Our idempotency stamp: the same property set and name as on events and messages, so one filter shape serves all. */
export const CONTACT_ORIGIN_KEY_PROPERTY_ID = ORIGIN_KEY_PROPERTY_ID;

/** $expand that returns our stamp (and nothing else) with a contact. */
export const CONTACT_STAMP_EXPAND = `singleValueExtendedProperties($filter=id eq ${odataString(CONTACT_ORIGIN_KEY_PROPERTY_ID)})`;

/** The properties the card is made of, plus what the version and modifiedAt come from. */
export const CONTACT_FIELDS = [
  'displayName',
  'givenName',
  'surname',
  'companyName',
  'jobTitle',
  'emailAddresses',
  'mobilePhone',
  'businessAddress',
  'personalNotes',
  'categories',
] as const;
export const CONTACT_SELECT = ['id', 'changeKey', 'lastModifiedDateTime', ...CONTACT_FIELDS].join(',');

/** Is this category a DingTalk label? (Synchronous here; the adapter resolves it for the categories at hand.) */
export type LabelTest = (category: string) => boolean;

export function cardFromGraph(c: GraphContact, isLabel: LabelTest): ContactCard {
  return {
    name: nameOf(c),
    company: c.companyName ?? '',
    title: c.jobTitle ?? '',
    email: firstEmail(c),
    mobile: normalizeMobile(c.mobilePhone ?? ''),
    address: joinAddress(c.businessAddress),
    notes: normalizeNotes(c.personalNotes),
    labels: labelsOf(c.categories, isLabel),
  };
}

export function originKeyOf(c: GraphContact): string | undefined {
  const id = CONTACT_ORIGIN_KEY_PROPERTY_ID.toLowerCase();
  // Graph may echo the id with other casing of the type and GUID.
  return (c.singleValueExtendedProperties ?? []).find((p) => p.id.toLowerCase() === id)?.value || undefined;
}

/** The version is the changeKey; @odata.etag carries the same value as W/"<changeKey>". */
export function versionOfContact(c: GraphContact): string {
  return c.changeKey ?? changeKeyOfEtag(c['@odata.etag']) ?? '';
}

export function toContactItem(
  c: GraphContact,
  isLabel: LabelTest,
  now: () => string,
): RemoteItem<ContactCard> {
  const projection = cardFromGraph(c, isLabel);
  const item: RemoteItem<ContactCard> = {
    id: c.id,
    version: versionOfContact(c),
    modifiedAt: c.lastModifiedDateTime ?? now(),
    projection,
    matchKeys: contactMatchKeys(projection),
  };
  const originKey = originKeyOf(c);
  if (originKey) item.originKey = originKey;
  return item;
}

/**
 * Graph's delta query overview ("Use delta query to track changes in Microsoft Graph data") lets an updated row
 * carry only some of its properties; a row that lacks one of ours is read in full before it is mapped, or the
 * missing ones would read as cleared.
 */
export function isCompleteRow(row: GraphContact): boolean {
  return CONTACT_FIELDS.every((f) => f in row);
}

export function contactCreateBody(card: ContactCard, originKey: string): GraphContactWrite {
  const body: GraphContactWrite = { displayName: card.name, givenName: card.name };
  if (card.company) body.companyName = card.company;
  if (card.title) body.jobTitle = card.title;
  if (card.email) body.emailAddresses = [{ address: card.email, name: card.name }];
  if (card.mobile) body.mobilePhone = card.mobile;
  if (card.address) body.businessAddress = { street: card.address };
  if (card.notes) body.personalNotes = card.notes;
  if (card.labels.length) body.categories = [...card.labels];
  body.singleValueExtendedProperties = [{ id: CONTACT_ORIGIN_KEY_PROPERTY_ID, value: originKey }];
  return body;
}

/**
 * The PATCH that makes `current` show `card`, or undefined when it already does. Only differing properties are
 * sent (plus displayName, see above), so what Outlook holds beyond the card (a split given name and surname, the
 * other addresses and e-mail addresses, the person's own categories) stays.
 */
export function contactUpdateBody(
  card: ContactCard,
  current: GraphContact,
  isLabel: LabelTest,
): GraphContactWrite | undefined {
  const held = cardFromGraph(current, isLabel);
  const body: GraphContactWrite = {};
  if (card.name !== held.name) {
    body.givenName = card.name || null;
    body.surname = null;
  }
  if (card.company !== held.company) body.companyName = card.company || null;
  if (card.title !== held.title) body.jobTitle = card.title || null;
  if (card.email !== held.email) {
    const others = (current.emailAddresses ?? []).slice(1);
    body.emailAddresses = card.email ? [{ address: card.email, name: card.name }, ...others] : others;
  }
  if (card.mobile !== held.mobile) body.mobilePhone = card.mobile || null;
  if (card.address !== held.address) body.businessAddress = card.address ? { street: card.address } : null;
  if (card.notes !== held.notes) body.personalNotes = card.notes || null;
  const labels = [...new Set(card.labels)].sort();
  if (!sameList(labels, held.labels)) {
    const own = (current.categories ?? []).filter((c) => !isLabel(c.trim()));
    body.categories = [...own, ...labels.filter((l) => !own.includes(l))];
  }
  if (Object.keys(body).length === 0) return undefined;
  body.displayName = card.name;
  return body;
}

/** The country codes of two digits (ITU-T E.164 assignments); 1 and 7 have one, every other code three. */
const TWO_DIGIT_CODES = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(
    ' ',
  ),
);

/** The length of the country code that starts these digits (country codes are prefix-free). */
function countryCodeLength(digits: string): number {
  if (digits.startsWith('1') || digits.startsWith('7')) return 1;
  return TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? 2 : 3;
}

/**
 * A phone number as the card holds it: "+<country code> <national digits>". A number without "+" (or "00") is
 * taken as a national number of `defaultCountryCode`; '' when there are no digits at all.
 */
export function normalizeMobile(text: string, defaultCountryCode = '86'): string {
  let t = text.trim();
  if (t.startsWith('00')) t = `+${t.slice(2)}`;
  const digits = t.replace(/\D/g, '');
  if (!digits) return '';
  if (!t.startsWith('+')) return `+${defaultCountryCode} ${digits}`;
  const grouped = /^\+\s*\(?(\d{1,3})\)?[\s\-.]/.exec(t)?.[1];
  const length =
    grouped && countryCodeLength(grouped) === grouped.length ? grouped.length : countryCodeLength(digits);
  return `+${digits.slice(0, length)} ${digits.slice(length)}`;
}

export function joinAddress(a: GraphPhysicalAddress | null | undefined): string {
  if (!a) return '';
  return [a.street, a.city, a.state, a.postalCode, a.countryOrRegion]
    .map((part) => (part ?? '').replace(/\s*\r?\n\s*/g, ', ').trim())
    .filter(Boolean)
    .join(', ');
}

function nameOf(c: GraphContact): string {
  if (c.displayName) return c.displayName;
  const given = c.givenName ?? '';
  const surname = c.surname ?? '';
  // Chinese, Japanese and Korean names are written family name first, without a space.
  if (/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(given + surname)) return `${surname}${given}`;
  return [given, surname].filter(Boolean).join(' ');
}

function firstEmail(c: GraphContact): string {
  return (c.emailAddresses?.[0]?.address ?? '').trim().toLowerCase();
}

/** Outlook may store line breaks as CRLF; the card holds LF, as DingTalk does. */
function normalizeNotes(notes: string | null | undefined): string {
  return (notes ?? '').replace(/\r\n?/g, '\n');
}

function labelsOf(categories: string[] | null | undefined, isLabel: LabelTest): string[] {
  return [...new Set((categories ?? []).map((c) => c.trim()).filter((c) => c && isLabel(c)))].sort();
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
