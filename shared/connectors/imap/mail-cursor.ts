import { CursorExpiredError } from '../../sync/types';

/**
 * The IMAP mail cursor. IMAP servers without CONDSTORE (RFC 7162) keep no change log we could resume from, so the
 * cursor carries what the next poll diffs against (isync/mbsync keeps the same state in its per-mailbox file):
 * the folder's UIDVALIDITY, UIDNEXT, MESSAGES and UNSEEN at the last poll, when the last full flags scan ran, and a
 * snapshot UID → {\Seen, \Flagged} of every message we track. During a first listing it also carries the UIDs of the
 * look-back window still to be listed.
 *
 * The cursor lives in one Azure Table string property (at most 32 K UTF-16 characters), so the UID sets are
 * delta-encoded runs: `<gap><flags>[<run length>]`, comma separated, gap and length in base 36. Consecutive UIDs
 * with the same flags collapse into one run; a sparse worst case costs about 3–4 characters per UID.
 */

/** Flag bits of one message: the two the mail kind syncs (mail-message.ts). */
export const SEEN = 1;
export const FLAGGED = 2;

/** UID → flag bits, in ascending UID order when encoded. */
export type FlagSnapshot = Map<number, number>;

interface CursorBase {
  /** UIDVALIDITY as a decimal string (RFC 3501 allows the full unsigned 32-bit range). */
  uidValidity: string;
  uidNext: number;
  messages: number;
  unseen: number;
  /** When the last full flags scan of the tracked UIDs ran (ms since the epoch). */
  fullScanAt: number;
  /** When the last scan of the newest-UID window ran (ms since the epoch). */
  windowScanAt: number;
  snapshot: FlagSnapshot;
}

export type MailCursor =
  (CursorBase & { kind: 'listing'; pending: number[] }) | (CursorBase & { kind: 'delta' });

const PREFIX = 'im1';
const FLAG_CHARS = ['N', 'S', 'F', 'B'];

/** Encodes UID → bits as delta runs (see the file comment). UIDs must be positive integers. */
export function encodeRuns(snapshot: FlagSnapshot): string {
  const uids = [...snapshot.keys()].sort((a, b) => a - b);
  const out: string[] = [];
  let prevEnd = 0;
  let i = 0;
  while (i < uids.length) {
    const start = uids[i];
    const bits = snapshot.get(start)! & 3;
    let end = start;
    while (i + 1 < uids.length && uids[i + 1] === end + 1 && (snapshot.get(uids[i + 1])! & 3) === bits) {
      end = uids[++i];
    }
    i++;
    const len = end - start + 1;
    out.push(`${(start - prevEnd).toString(36)}${FLAG_CHARS[bits]}${len > 1 ? len.toString(36) : ''}`);
    prevEnd = end;
  }
  return out.join(',');
}

const RUN = /^([0-9a-z]+)([NSFB])([0-9a-z]*)$/;

export function decodeRuns(text: string): FlagSnapshot {
  const snapshot: FlagSnapshot = new Map();
  if (text === '') return snapshot;
  let prevEnd = 0;
  for (const token of text.split(',')) {
    const m = RUN.exec(token);
    if (!m) throw new Error(`bad run ${token.slice(0, 20)}`);
    const gap = parseInt(m[1], 36);
    const len = m[3] ? parseInt(m[3], 36) : 1;
    if (!(gap >= 1) || !(len >= 1)) throw new Error(`bad run ${token.slice(0, 20)}`);
    const bits = FLAG_CHARS.indexOf(m[2]);
    const start = prevEnd + gap;
    for (let uid = start; uid < start + len; uid++) snapshot.set(uid, bits);
    prevEnd = start + len - 1;
  }
  return snapshot;
}

const num = (n: number): string => n.toString(36);

export function encodeMailCursor(c: MailCursor): string {
  const head = [
    PREFIX,
    c.kind === 'listing' ? 'L' : 'D',
    c.uidValidity,
    num(c.uidNext),
    num(c.messages),
    num(c.unseen),
    num(c.fullScanAt),
    num(c.windowScanAt),
    encodeRuns(c.snapshot),
  ];
  if (c.kind === 'listing') head.push(encodeRuns(new Map(c.pending.map((u) => [u, 0]))));
  return head.join('|');
}

/** A cursor we cannot read is treated as expired: the engine then relists and re-matches, which never deletes. */
export function decodeMailCursor(text: string): MailCursor {
  try {
    const parts = text.split('|');
    const [
      prefix,
      kind,
      uidValidity,
      uidNext,
      messages,
      unseen,
      fullScanAt,
      windowScanAt,
      snapshot,
      pending,
    ] = parts;
    if (prefix !== PREFIX || !/^\d+$/.test(uidValidity ?? '')) throw new Error('prefix');
    const base: CursorBase = {
      uidValidity,
      uidNext: parseNum(uidNext),
      messages: parseNum(messages),
      unseen: parseNum(unseen),
      fullScanAt: parseNum(fullScanAt),
      windowScanAt: parseNum(windowScanAt),
      snapshot: decodeRuns(snapshot ?? ''),
    };
    if (kind === 'D' && parts.length === 9) return { kind: 'delta', ...base };
    if (kind === 'L' && parts.length === 10) {
      return { kind: 'listing', ...base, pending: [...decodeRuns(pending).keys()] };
    }
    throw new Error('kind');
  } catch {
    throw new CursorExpiredError(`unreadable IMAP mail cursor ${JSON.stringify(text.slice(0, 40))}`);
  }
}

function parseNum(text: string | undefined): number {
  if (!text || !/^[0-9a-z]+$/.test(text)) throw new Error('number');
  return parseInt(text, 36);
}

/** The synced flags as the item's version: `-`, `S`, `F` or `SF`. Equal versions mean equal synced state. */
export function versionOfBits(bits: number): string {
  const v = `${bits & SEEN ? 'S' : ''}${bits & FLAGGED ? 'F' : ''}`;
  return v === '' ? '-' : v;
}

export function bitsOfFlags(flags: Iterable<string> | undefined): number {
  let bits = 0;
  for (const f of flags ?? []) {
    const lower = f.toLowerCase();
    if (lower === '\\seen') bits |= SEEN;
    else if (lower === '\\flagged') bits |= FLAGGED;
  }
  return bits;
}

export function bitsOf(p: { seen: boolean; flagged: boolean }): number {
  return (p.seen ? SEEN : 0) | (p.flagged ? FLAGGED : 0);
}
