import { createHash } from 'node:crypto';
import type { ContactCard } from '../../sync/contact-card';
import { canonicalJson } from '../../sync/stable-hash';
import { PermanentRemoteError } from '../../sync/types';
import { decodeDescription, encodeDescription } from './description-codec';

/**
 * DingTalk external contacts (外部联系人) ⇄ the canonical ContactCard. Field names are those of OpenExtContact on
 * DingTalk's "获取外部联系人详情" / "获取外部联系人列表" pages, and of the contact object of "添加外部联系人" and
 * "更新外部联系人" (open.dingtalk.com, server API, 外部联系人).
 *
 * - mobile: DingTalk keeps the country code apart (state_code, e.g. "86") from the national number (mobile,
 *   digits only); the card holds "+<state_code> <mobile>".
 * - remark ⇄ notes: our create's idempotency key rides at the end of remark, spelled in zero-width characters (the
 *   same stamp as in DingTalk event descriptions), because an external contact has no property bag. It is removed
 *   when remark is read and kept when remark is written again.
 * - label_ids ⇄ labels: ids are translated through the org's label catalogue (contact-labels.ts).
 */

/** OpenExtContact as topapi/extcontact/get and /list answer it (absent fields were never set). */
export interface WireExtContact {
  userid: string;
  name?: string;
  mobile?: string;
  state_code?: string;
  /** 负责人: the colleague who follows the contact; the product syncs a contact to its follower only. */
  follower_user_id?: string;
  label_ids?: number[];
  share_user_ids?: string[];
  share_dept_ids?: number[];
  company_name?: string;
  title?: string;
  email?: string;
  address?: string;
  remark?: string;
}

/** The `contact` object of topapi/extcontact/create (no user_id) and /update (with user_id, no mobile). */
export interface WireExtContactWrite {
  user_id?: string;
  name: string;
  follower_user_id: string;
  label_ids: number[];
  mobile?: string;
  state_code?: string;
  company_name?: string;
  title?: string;
  address?: string;
  remark?: string;
  email?: string;
}

export const DEFAULT_STATE_CODE = '86';

/** A contact's card, and the origin key of our create when the remark carries our stamp. */
export interface MappedContact {
  card: ContactCard;
  originKey?: string;
}

export function cardFromWire(w: WireExtContact, labelNames: (ids: number[]) => string[]): MappedContact {
  const remark = decodeDescription(w.remark ?? '');
  const card: ContactCard = {
    name: w.name ?? '',
    company: w.company_name ?? '',
    title: w.title ?? '',
    email: (w.email ?? '').trim().toLowerCase(),
    mobile: w.mobile ? joinMobile(w.state_code, w.mobile) : '',
    address: w.address ?? '',
    // The codec also lifts a trailing "Online meeting: <url>" line out of event descriptions; in a remark that
    // line is the person's own text, so it is put back.
    notes: encodeDescription(remark.body, { joinUrl: remark.joinUrl }),
    labels: sortedLabels(labelNames(w.label_ids ?? [])),
  };
  return remark.originKey ? { card, originKey: remark.originKey } : { card };
}

/**
 * DingTalk keeps no modification time on external contacts, so the version is a hash of every field the product
 * reads or writes. Two reads of an unchanged contact give the same version; any edit in the app changes it.
 */
export function versionOf(w: WireExtContact): string {
  const content = canonicalJson([
    w.name ?? '',
    w.mobile ?? '',
    w.state_code ?? '',
    w.follower_user_id ?? '',
    [...(w.label_ids ?? [])].sort((a, b) => a - b),
    w.company_name ?? '',
    w.title ?? '',
    w.email ?? '',
    w.address ?? '',
    w.remark ?? '',
  ]);
  return createHash('sha256').update(content).digest('base64url').slice(0, 12);
}

export function joinMobile(stateCode: string | undefined, mobile: string): string {
  const code = (stateCode ?? '').replace(/\D/g, '').replace(/^0+/, '') || DEFAULT_STATE_CODE;
  return `+${code} ${mobile.replace(/\D/g, '')}`;
}

/**
 * The card's "+<country code> <number>" as DingTalk's state_code and mobile. A number without "+" is taken as a
 * national number of `defaultStateCode`. undefined when the text is no phone number DingTalk would take ("a
 * non-numeric mobile" is refused, and the national number is 4 to 20 digits in practice).
 */
export function splitMobile(
  text: string,
  defaultStateCode = DEFAULT_STATE_CODE,
): { state_code: string; mobile: string } | undefined {
  const trimmed = text.trim();
  const international = /^\+\s*(\d{1,4})[\s\-.]+(.+)$/.exec(trimmed);
  let stateCode: string;
  let rest: string;
  if (international) {
    stateCode = international[1]!;
    rest = international[2]!;
  } else if (trimmed.startsWith('+')) {
    // Without a separator the country code cannot be told from the number; only China's is assumed.
    if (!trimmed.startsWith('+86')) return undefined;
    stateCode = '86';
    rest = trimmed.slice(3);
  } else {
    stateCode = defaultStateCode;
    rest = trimmed;
  }
  const digits = rest.replace(/[\s\-().]/g, '');
  return /^\d{4,20}$/.test(digits) ? { state_code: stateCode, mobile: digits } : undefined;
}

export interface CreateContext {
  followerUserId: string;
  labelIds: number[];
  originKey: string;
  /** Whether create/update take email (DingTalk documents email on get only). */
  emailWritable: boolean;
  defaultStateCode?: string;
}

export function createBody(card: ContactCard, ctx: CreateContext): WireExtContactWrite {
  requireName(card);
  if (!card.mobile.trim()) {
    throw new PermanentRemoteError(
      'DingTalk requires a mobile number for an external contact',
      'MobileRequired',
    );
  }
  const phone = splitMobile(card.mobile, ctx.defaultStateCode);
  if (!phone) {
    throw new PermanentRemoteError(
      `DingTalk requires a mobile number for an external contact; "${card.mobile}" is not one`,
      'MobileInvalid',
    );
  }
  const body: WireExtContactWrite = {
    name: card.name,
    follower_user_id: ctx.followerUserId,
    label_ids: ctx.labelIds,
    mobile: phone.mobile,
    state_code: phone.state_code,
  };
  setTexts(body, card, encodeDescription(card.notes, { originKey: ctx.originKey }), ctx.emailWritable);
  return body;
}

/**
 * The update for `current`, or undefined when no field DingTalk lets us write differs. extcontact/update takes
 * neither mobile nor state_code (its request lists them not), so those stay as DingTalk holds them; our stamp in
 * remark is kept.
 */
export function updateBody(
  card: ContactCard,
  current: WireExtContact,
  labelIds: number[],
  emailWritable: boolean,
): WireExtContactWrite | undefined {
  requireName(card);
  const originKey = decodeDescription(current.remark ?? '').originKey;
  const body: WireExtContactWrite = {
    user_id: current.userid,
    name: card.name,
    follower_user_id: current.follower_user_id ?? '',
    label_ids: labelIds,
  };
  setTexts(body, card, encodeDescription(card.notes, { originKey }), emailWritable);
  const same =
    body.name === (current.name ?? '') &&
    sameIds(body.label_ids, current.label_ids ?? []) &&
    TEXT_FIELDS.every((f) => (body[f] ?? '') === (current[f] ?? '')) &&
    (body.email === undefined || body.email === (current.email ?? '').trim().toLowerCase());
  return same ? undefined : body;
}

/** The contact as DingTalk holds it after `body` was written: absent optional fields stay as they were. */
export function afterWrite(
  current: WireExtContact | undefined,
  userid: string,
  body: WireExtContactWrite,
): WireExtContact {
  const { user_id: _ignored, ...fields } = body;
  const next: WireExtContact = { ...(current ?? { share_user_ids: [], share_dept_ids: [] }), userid };
  for (const [k, v] of Object.entries(fields))
    if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  return next;
}

const TEXT_FIELDS = ['company_name', 'title', 'address', 'remark'] as const;

function setTexts(
  body: WireExtContactWrite,
  card: ContactCard,
  remark: string,
  emailWritable: boolean,
): void {
  body.company_name = card.company;
  body.title = card.title;
  body.address = card.address;
  body.remark = remark;
  if (emailWritable) body.email = card.email.trim().toLowerCase();
}

function requireName(card: ContactCard): void {
  if (!card.name.trim()) {
    throw new PermanentRemoteError('DingTalk requires a name for an external contact', 'NameRequired');
  }
}

function sameIds(a: number[], b: number[]): boolean {
  const x = [...new Set(a)].sort((p, q) => p - q);
  const y = [...new Set(b)].sort((p, q) => p - q);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Labels as the card holds them: trimmed, without duplicates, in code-point order (both sides sort alike). */
export function sortedLabels(names: string[]): string[] {
  return [...new Set(names.map((n) => n.trim()).filter(Boolean))].sort();
}
