import { newGuid } from './ids';
import { canonicalPropertyId } from './mail-store';
import type { MessageWrite, Parsed, Recipient, StoredAttachment, WriteError } from './mail-types';

/**
 * Message bodies as Graph reads them. Create follows what public migration code relies on (undocumented by
 * Microsoft: microsoft-graph-docs-contrib#2790, DavMail's Graph backend and its PR #517; see docs/graph.md):
 * a created message is a draft unless the MAPI
 * property PidTagMessageFlags ("Integer 0x0E07") is set without MSGFLAG_UNSENT (0x8); receivedDateTime and
 * sentDateTime in the body are ignored, PidTagMessageDeliveryTime ("SystemTime 0x0E06") and
 * PidTagClientSubmitTime ("SystemTime 0x0039") set them. Update follows the "Update message" page: content
 * fields only while the message is a draft.
 */

const MSGFLAG_READ = 0x1;
const MSGFLAG_UNSENT = 0x8;
export const PR_MESSAGE_FLAGS = canonicalPropertyId('Integer 0x0E07');
export const PR_MESSAGE_DELIVERY_TIME = canonicalPropertyId('SystemTime 0x0E06');
export const PR_CLIENT_SUBMIT_TIME = canonicalPropertyId('SystemTime 0x0039');

/** Properties of microsoft.graph.message (and its base types) a client may send. */
const DRAFT_ONLY = [
  'subject',
  'body',
  'from',
  'sender',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'internetMessageId',
] as const;
const ALWAYS = [
  'isRead',
  'flag',
  'importance',
  'categories',
  'inferenceClassification',
  'isDeliveryReceiptRequested',
  'isReadReceiptRequested',
  'singleValueExtendedProperties',
] as const;
const CREATE_ONLY = ['internetMessageHeaders', 'attachments'] as const;
/** Known but not writable: ignored on create the way Exchange ignores them; refused on update. */
const IGNORED = [
  'id',
  'changeKey',
  'createdDateTime',
  'lastModifiedDateTime',
  'receivedDateTime',
  'sentDateTime',
  'hasAttachments',
  'bodyPreview',
  'conversationId',
  'conversationIndex',
  'parentFolderId',
  'webLink',
  'isDraft',
  'uniqueBody',
  'multiValueExtendedProperties',
  'extensions',
] as const;

const IMPORTANCE = ['low', 'normal', 'high'];
const FLAG_STATUS = ['notFlagged', 'complete', 'flagged'];
const CLASSIFICATION = ['focused', 'other'];

const bad = (status: number, code: string, message: string): { ok: false; error: WriteError } => ({
  ok: false,
  error: { status, code, message },
});

export function parseMessageCreate(body: unknown, nowIso: string): Parsed<MessageWrite> {
  const input = asObject(body);
  if (!input) return bad(400, 'ErrorInvalidRequest', 'Empty Payload. JSON content expected.');
  const known = new Set<string>([...DRAFT_ONLY, ...ALWAYS, ...CREATE_ONLY, ...IGNORED]);
  const write: MessageWrite = {};
  for (const [name, value] of Object.entries(input)) {
    if (name.startsWith('@odata.')) continue;
    if (!known.has(name)) return unknownProperty(name);
    if ((IGNORED as readonly string[]).includes(name)) continue;
    const problem = readField(write, name, value);
    if (problem) return { ok: false, error: problem };
  }
  const flags = write.singleValueExtendedProperties?.find(
    (p) => canonicalPropertyId(p.id) === PR_MESSAGE_FLAGS,
  );
  if (flags) {
    const n = Number(flags.value);
    if (!Number.isInteger(n))
      return bad(
        400,
        'ErrorInvalidExtendedPropertyValue',
        `The value '${flags.value}' is not a valid Integer.`,
      );
    write.isDraft = (n & MSGFLAG_UNSENT) !== 0;
    if (write.isRead === undefined) write.isRead = (n & MSGFLAG_READ) !== 0;
  } else {
    write.isDraft = true;
  }
  for (const [key, field] of [
    [PR_MESSAGE_DELIVERY_TIME, 'receivedDateTime'],
    [PR_CLIENT_SUBMIT_TIME, 'sentDateTime'],
  ] as const) {
    const p = write.singleValueExtendedProperties?.find((x) => canonicalPropertyId(x.id) === key);
    if (!p) continue;
    const at = Date.parse(p.value);
    if (!Number.isFinite(at))
      return bad(
        400,
        'ErrorInvalidExtendedPropertyValue',
        `The value '${p.value}' is not a valid SystemTime.`,
      );
    write[field] = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  for (const a of write.attachments ?? []) a.lastModifiedDateTime = nowIso;
  return { ok: true, value: write };
}

export function parseMessageUpdate(body: unknown, isDraft: boolean): Parsed<MessageWrite> {
  const input = asObject(body);
  if (!input) return bad(400, 'ErrorInvalidRequest', 'Empty Payload. JSON content expected.');
  const write: MessageWrite = {};
  for (const [name, value] of Object.entries(input)) {
    if (name.startsWith('@odata.')) continue;
    if ((DRAFT_ONLY as readonly string[]).includes(name)) {
      // Observed answer when a non-draft's from is changed (microsoft-graph-docs#17008).
      if (!isDraft) return bad(400, 'ErrorInvalidPropertySet', 'Message is not draft.');
    } else if (!(ALWAYS as readonly string[]).includes(name)) {
      if ([...CREATE_ONLY, ...IGNORED].includes(name as never))
        return bad(400, 'ErrorInvalidPropertySet', `The property '${name}' is read-only and cannot be set.`);
      return unknownProperty(name);
    }
    const problem = readField(write, name, value);
    if (problem) return { ok: false, error: problem };
  }
  // PidTagMessageFlags, delivery and submit time only count at creation (public reports: PATCH of 0x0E07 is a
  // silent no-op on the real service); they are stored but change nothing.
  return { ok: true, value: write };
}

/** A fileAttachment as POST …/attachments or a create's attachments[] carries it. */
export function parseFileAttachment(value: unknown, nowIso: string): Parsed<StoredAttachment> {
  const input = asObject(value);
  if (!input) return bad(400, 'ErrorInvalidRequest', 'Empty Payload. JSON content expected.');
  const type = String(input['@odata.type'] ?? '')
    .replace(/^#/, '')
    .toLowerCase();
  if (type !== 'microsoft.graph.fileattachment') {
    return bad(
      400,
      'ErrorInvalidParameter',
      type
        ? `This sandbox only models fileAttachment, not '${String(input['@odata.type'])}'.`
        : "The annotation '@odata.type' is required for an attachment.",
    );
  }
  if (typeof input.name !== 'string' || !input.name)
    return bad(400, 'ErrorInvalidParameter', "The attachment property 'name' is required.");
  if (typeof input.contentBytes !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(input.contentBytes))
    return bad(400, 'ErrorInvalidParameter', "The attachment property 'contentBytes' must be base64.");
  const bytes = Buffer.from(input.contentBytes, 'base64');
  return {
    ok: true,
    value: {
      id: newAttachmentId(),
      name: input.name,
      contentType: typeof input.contentType === 'string' ? input.contentType : 'application/octet-stream',
      size: bytes.length,
      isInline: input.isInline === true,
      contentId: typeof input.contentId === 'string' ? input.contentId : null,
      contentBytes: bytes,
      lastModifiedDateTime: nowIso,
    },
  };
}

export const newAttachmentId = () =>
  'AAMkADg3NzRmYjk0LTBlMzEtNDM4YS05ZjlkLTg5ZTNmMDU5Nzc2YwBGAAAAAABEgAQ' +
  Buffer.from(newGuid().replace(/-/g, ''), 'hex').toString('base64url');

function readField(write: MessageWrite, name: string, value: unknown): WriteError | undefined {
  const invalid = (what: string): WriteError => ({
    status: 400,
    code: 'RequestBodyRead',
    message: `Cannot convert the literal '${JSON.stringify(value)}' to the expected type '${what}'.`,
  });
  switch (name) {
    case 'subject':
    case 'internetMessageId':
      if (typeof value !== 'string') return invalid('Edm.String');
      write[name] = value;
      return undefined;
    case 'body': {
      const b = asObject(value);
      const contentType = String(b?.contentType ?? 'text').toLowerCase();
      if (!b || !['text', 'html'].includes(contentType) || typeof (b.content ?? '') !== 'string')
        return invalid('microsoft.graph.itemBody');
      write.body = { contentType: contentType as 'text' | 'html', content: (b.content as string) ?? '' };
      return undefined;
    }
    case 'from':
    case 'sender': {
      if (value === null) {
        write[name] = null;
        return undefined;
      }
      const r = recipient(value);
      if (!r) return invalid('microsoft.graph.recipient');
      write[name] = r;
      return undefined;
    }
    case 'toRecipients':
    case 'ccRecipients':
    case 'bccRecipients':
    case 'replyTo': {
      if (!Array.isArray(value)) return invalid('Collection(microsoft.graph.recipient)');
      const list = value.map(recipient);
      if (list.some((r) => !r)) return invalid('microsoft.graph.recipient');
      write[name] = list as Recipient[];
      return undefined;
    }
    case 'isRead':
    case 'isDeliveryReceiptRequested':
    case 'isReadReceiptRequested':
      if (typeof value !== 'boolean') return invalid('Edm.Boolean');
      write[name] = value;
      return undefined;
    case 'importance':
      if (typeof value !== 'string' || !IMPORTANCE.includes(value.toLowerCase()))
        return invalid('microsoft.graph.importance');
      write.importance = value.toLowerCase();
      return undefined;
    case 'inferenceClassification':
      if (typeof value !== 'string' || !CLASSIFICATION.includes(value.toLowerCase()))
        return invalid('microsoft.graph.inferenceClassificationType');
      write.inferenceClassification = value.toLowerCase();
      return undefined;
    case 'categories':
      if (!Array.isArray(value) || value.some((c) => typeof c !== 'string'))
        return invalid('Collection(Edm.String)');
      write.categories = value as string[];
      return undefined;
    case 'flag': {
      const f = asObject(value);
      const status = FLAG_STATUS.find((s) => s.toLowerCase() === String(f?.flagStatus ?? '').toLowerCase());
      if (!f || !status) return invalid('microsoft.graph.followupFlag');
      const flag: Record<string, unknown> & { flagStatus: string } = { flagStatus: status };
      for (const k of ['startDateTime', 'dueDateTime', 'completedDateTime'])
        if (asObject(f[k])) flag[k] = f[k];
      write.flag = flag;
      return undefined;
    }
    case 'internetMessageHeaders': {
      if (!Array.isArray(value)) return invalid('Collection(microsoft.graph.internetMessageHeader)');
      const headers: { name: string; value: string }[] = [];
      for (const h of value) {
        const o = asObject(h);
        if (!o || typeof o.name !== 'string' || typeof o.value !== 'string')
          return invalid('microsoft.graph.internetMessageHeader');
        // Custom headers must be x- headers ("message resource type": internetMessageHeaders); this is the
        // error Exchange answers otherwise.
        if (!/^x-/i.test(o.name)) {
          return {
            status: 400,
            code: 'InvalidInternetMessageHeader',
            message: `The internet message header name '${o.name}' should start with 'x-' or 'X-'.`,
          };
        }
        headers.push({ name: o.name, value: o.value });
      }
      write.internetMessageHeaders = headers;
      return undefined;
    }
    case 'singleValueExtendedProperties': {
      if (!Array.isArray(value))
        return invalid('Collection(microsoft.graph.singleValueLegacyExtendedProperty)');
      const props: { id: string; value: string }[] = [];
      for (const p of value) {
        const o = asObject(p);
        if (!o || typeof o.id !== 'string' || typeof o.value !== 'string')
          return invalid('microsoft.graph.singleValueLegacyExtendedProperty');
        props.push({ id: o.id, value: o.value });
      }
      write.singleValueExtendedProperties = props;
      return undefined;
    }
    case 'attachments': {
      if (!Array.isArray(value)) return invalid('Collection(microsoft.graph.attachment)');
      const list: StoredAttachment[] = [];
      for (const a of value) {
        const parsed = parseFileAttachment(a, '');
        if (!parsed.ok) return parsed.error;
        list.push(parsed.value);
      }
      write.attachments = list;
      return undefined;
    }
  }
  return undefined;
}

function recipient(value: unknown): Recipient | undefined {
  const e = asObject(asObject(value)?.emailAddress);
  if (!e || typeof e.address !== 'string' || (e.name !== undefined && typeof e.name !== 'string'))
    return undefined;
  return { emailAddress: { name: (e.name as string | undefined) ?? e.address, address: e.address } };
}

function unknownProperty(name: string): { ok: false; error: WriteError } {
  return bad(
    400,
    'RequestBodyRead',
    `The property '${name}' does not exist on type 'microsoft.graph.message'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
