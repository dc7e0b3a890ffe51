import type { ContactWrite } from './contact-store';
import type { Parsed, WriteError } from './mail-types';

/**
 * Contact and contactFolder bodies as Graph reads them, typed by the v1.0 CSDL (microsoft.graph.contact,
 * physicalAddress, emailAddress, singleValueLegacyExtendedProperty): a property the type does not have is
 * refused the way Graph refuses it (RequestBodyRead), a value of the wrong type too; the read-only ones Exchange
 * computes are ignored. null clears a property.
 */

const STRINGS = [
  'assistantName',
  'businessHomePage',
  'companyName',
  'department',
  'displayName',
  'fileAs',
  'generation',
  'givenName',
  'initials',
  'jobTitle',
  'manager',
  'middleName',
  'mobilePhone',
  'nickName',
  'officeLocation',
  'personalNotes',
  'profession',
  'spouseName',
  'surname',
  'title',
  'yomiCompanyName',
  'yomiGivenName',
  'yomiSurname',
];
const STRING_LISTS = ['businessPhones', 'homePhones', 'imAddresses', 'children', 'categories'];
const ADDRESSES = ['businessAddress', 'homeAddress', 'otherAddress'];
const EMAILS = ['primaryEmailAddress', 'secondaryEmailAddress', 'tertiaryEmailAddress'];
const ADDRESS_KEYS = ['street', 'city', 'state', 'countryOrRegion', 'postalCode'];
/** Known but computed by Exchange: ignored in a body. */
const IGNORED = [
  'id',
  'changeKey',
  'createdDateTime',
  'lastModifiedDateTime',
  'parentFolderId',
  'photo',
  'extensions',
  'multiValueExtendedProperties',
];

export const CONTACT_PROPERTIES = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'parentFolderId',
  'birthday',
  'emailAddresses',
  ...STRINGS,
  ...STRING_LISTS.filter((n) => n !== 'categories'),
  ...ADDRESSES,
  ...EMAILS,
];

const bad = (status: number, code: string, message: string): { ok: false; error: WriteError } => ({
  ok: false,
  error: { status, code, message },
});

const unknownProperty = (name: string, type: string) =>
  bad(
    400,
    'RequestBodyRead',
    `The property '${name}' does not exist on type 'microsoft.graph.${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );

const wrongType = (name: string, expected: string) =>
  bad(
    400,
    'RequestBodyRead',
    `Cannot convert the literal to the expected type '${expected}' for the property '${name}'.`,
  );

export function parseContactWrite(body: unknown): Parsed<ContactWrite> {
  const input = asObject(body);
  if (!input) return bad(400, 'ErrorInvalidRequest', 'Empty Payload. JSON content expected.');
  const fields: Record<string, unknown> = {};
  const write: ContactWrite = { fields };
  for (const [name, value] of Object.entries(input)) {
    if (name.startsWith('@odata.') || IGNORED.includes(name)) continue;
    if (name === 'singleValueExtendedProperties') {
      const props = parseExtendedProperties(value);
      if (!props.ok) return props;
      write.singleValueExtendedProperties = props.value;
      continue;
    }
    if (value === null) {
      if (!CONTACT_PROPERTIES.includes(name)) return unknownProperty(name, 'contact');
      fields[name] = null;
      continue;
    }
    if (STRINGS.includes(name)) {
      if (typeof value !== 'string') return wrongType(name, 'Edm.String');
      fields[name] = value;
    } else if (STRING_LISTS.includes(name)) {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        return wrongType(name, 'Collection(Edm.String)');
      fields[name] = [...(value as string[])];
    } else if (ADDRESSES.includes(name)) {
      const address = parseComplex(value, ADDRESS_KEYS, 'physicalAddress', name);
      if (!address.ok) return address;
      fields[name] = address.value;
    } else if (EMAILS.includes(name)) {
      const email = parseComplex(value, ['name', 'address'], 'emailAddress', name);
      if (!email.ok) return email;
      fields[name] = email.value;
    } else if (name === 'emailAddresses') {
      if (!Array.isArray(value)) return wrongType(name, 'Collection(microsoft.graph.emailAddress)');
      const list: Record<string, string>[] = [];
      for (const item of value) {
        const email = parseComplex(item, ['name', 'address'], 'emailAddress', name);
        if (!email.ok) return email;
        list.push(email.value);
      }
      fields[name] = list;
    } else if (name === 'birthday') {
      if (typeof value !== 'string' || !Number.isFinite(Date.parse(value)))
        return wrongType(name, 'Edm.DateTimeOffset');
      fields[name] = new Date(Date.parse(value)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    } else {
      return unknownProperty(name, 'contact');
    }
  }
  return { ok: true, value: write };
}

export interface FolderWrite {
  displayName?: string;
  singleValueExtendedProperties?: { id: string; value: string }[];
}

export function parseFolderWrite(body: unknown, creating: boolean): Parsed<FolderWrite> {
  const input = asObject(body);
  if (!input) return bad(400, 'ErrorInvalidRequest', 'Empty Payload. JSON content expected.');
  const write: FolderWrite = {};
  for (const [name, value] of Object.entries(input)) {
    if (name.startsWith('@odata.') || ['id', 'parentFolderId'].includes(name)) continue;
    if (name === 'displayName') {
      if (typeof value !== 'string') return wrongType(name, 'Edm.String');
      write.displayName = value;
    } else if (name === 'singleValueExtendedProperties') {
      const props = parseExtendedProperties(value);
      if (!props.ok) return props;
      write.singleValueExtendedProperties = props.value;
    } else if (['childFolders', 'contacts', 'multiValueExtendedProperties'].includes(name)) {
      return bad(400, 'ErrorInvalidPropertySet', `The property '${name}' cannot be set here.`);
    } else {
      return unknownProperty(name, 'contactFolder');
    }
  }
  if ((creating || write.displayName !== undefined) && !write.displayName?.trim())
    return bad(400, 'ErrorInvalidRequest', 'The folder name cannot be empty.');
  return { ok: true, value: write };
}

function parseExtendedProperties(value: unknown): Parsed<{ id: string; value: string }[]> {
  if (!Array.isArray(value))
    return wrongType(
      'singleValueExtendedProperties',
      'Collection(microsoft.graph.singleValueLegacyExtendedProperty)',
    );
  const out: { id: string; value: string }[] = [];
  for (const item of value) {
    const p = asObject(item);
    if (!p || typeof p.id !== 'string' || typeof p.value !== 'string')
      return bad(
        400,
        'ErrorInvalidExtendedProperty',
        'An extended property needs a string id and a string value.',
      );
    if (!/^\w+ (0x[0-9a-f]+|\{[0-9a-f-]{36}\} (name|id) .+)$/i.test(p.id.trim()))
      return bad(
        400,
        'ErrorInvalidExtendedPropertyValue',
        `The extended property id '${p.id}' is not in a supported format.`,
      );
    out.push({ id: p.id, value: p.value });
  }
  return { ok: true, value: out };
}

function parseComplex(
  value: unknown,
  keys: string[],
  type: string,
  property: string,
): Parsed<Record<string, string>> {
  const input = asObject(value);
  if (!input) return wrongType(property, `microsoft.graph.${type}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k.startsWith('@odata.')) continue;
    if (!keys.includes(k)) return unknownProperty(k, type);
    if (v === null) continue;
    if (typeof v !== 'string') return wrongType(k, 'Edm.String');
    out[k] = v;
  }
  return { ok: true, value: out };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
