import type { ContactQuery } from './contact-odata';
import { contactId, type ContactFolder, type StoredContact } from './contact-store';
import { CONTACT_PROPERTIES } from './contact-validation';
import { canonicalPropertyId } from './mail-store';

/**
 * Contacts and contact folders as Graph v1.0 returns them: every property of the default set, unset strings as
 * null, unset collections as [], unset addresses as {} (the shape of the "Get contact" example), and the weak
 * ETag of the changeKey. primaryEmailAddress and its siblings only when selected, since the documented examples
 * do not return them.
 */

const STRING_LISTS = ['businessPhones', 'homePhones', 'imAddresses', 'children', 'categories'];
const ADDRESSES = ['businessAddress', 'homeAddress', 'otherAddress'];
const ONLY_WHEN_SELECTED = new Set(['primaryEmailAddress', 'secondaryEmailAddress', 'tertiaryEmailAddress']);

export function renderContact(
  c: StoredContact,
  o: { immutableIds: boolean; query: ContactQuery },
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': `W/"${c.changeKey}"` };
  for (const name of CONTACT_PROPERTIES) {
    const wanted = o.query.select ? o.query.select.has(name) || name === 'id' : !ONLY_WHEN_SELECTED.has(name);
    if (wanted) out[name] = valueOf(c, name, o.immutableIds);
  }
  if (o.query.extended) {
    const props = [...c.extended.entries()]
      .filter(([key]) => o.query.extended === 'all' || (o.query.extended as Set<string>).has(key))
      .map(([, p]) => p);
    // Graph leaves the property out when none of the requested ones exist on the item.
    if (props.length) out.singleValueExtendedProperties = props;
  }
  return out;
}

function valueOf(c: StoredContact, name: string, immutableIds: boolean): unknown {
  switch (name) {
    case 'id':
      return contactId(c, immutableIds);
    case 'createdDateTime':
      return c.createdDateTime;
    case 'lastModifiedDateTime':
      return c.lastModifiedDateTime;
    case 'changeKey':
      return c.changeKey;
    case 'parentFolderId':
      return c.folderId;
  }
  const value = c.fields[name];
  if (value !== undefined) return value;
  if (STRING_LISTS.includes(name) || name === 'emailAddresses') return [];
  if (ADDRESSES.includes(name)) return {};
  return null;
}

export function renderFolder(f: ContactFolder, extended?: Set<string> | 'all'): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentFolderId,
  };
  if (extended) {
    const props = [...f.extended.entries()]
      .filter(([key]) => extended === 'all' || extended.has(canonicalPropertyId(key)))
      .map(([, p]) => p);
    if (props.length) out.singleValueExtendedProperties = props;
  }
  return out;
}
