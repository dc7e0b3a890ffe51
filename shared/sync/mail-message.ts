import type { FieldMerge } from './field-merge';

/**
 * The mail kind as the engine sees it. A message's content never changes once delivered, so the only fields that
 * are ever updated are its read state and flag; they are merged one by one against the values last synced
 * (docs/mail.md), so a stale side never flips a newer change back (isync keeps flags the same way).
 *
 * Content is not part of the projection: it is read from the source side only when a copy is made, through
 * `content`, and written to the other side by that side's adapter (IMAP APPEND of the exact MIME; a Graph JSON
 * create built from the parsed MIME).
 */

/** The fields of a message that are synced after the copy: `\Seen` ⇄ `isRead`, `\Flagged` ⇄ flag "flagged". */
export interface MailFlags {
  seen: boolean;
  flagged: boolean;
}

/** Immutable facts about a message: first-sync matching keys and what the audit names it by. */
export interface MailEnvelope {
  /** RFC 5322 Message-ID including angle brackets, as sent; absent when the message has none. */
  messageId?: string;
  subject: string;
  /** Sender address (lower-cased), when known. */
  from?: string;
  /** The Date header (Graph sentDateTime), ISO 8601 UTC to the second. */
  sentAt?: string;
  /** When the mailbox received it (IMAP INTERNALDATE, Graph receivedDateTime), ISO 8601 UTC to the second. */
  receivedAt: string;
  /** Size in bytes as the side reports it (IMAP RFC822.SIZE; Graph PidTagMessageSize). Sides differ; a hint only. */
  size?: number;
}

/** Reads the exact RFC 5322 message from the side that holds it. */
export interface MailContent {
  raw(): Promise<Buffer>;
  /**
   * The same bytes as a stream, for a side that can send them piece by piece (a mail may be 25 MB: a copy reads
   * it into one Buffer of its final size, or passes it on, rather than collecting a list of chunks first). The
   * caller reads it at once and to the end, or destroys it: the side may hold a connection until then.
   */
  stream?(): Promise<MailStream>;
}

export interface MailStream {
  /** A Node Readable in practice; the engine names only what is read of it. */
  body: AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown };
  /** The exact byte count when the side says it up front (IMAP RFC822.SIZE, HTTP Content-Length). */
  length?: number;
}

export interface MailProjection extends MailFlags {
  envelope: MailEnvelope;
  /**
   * Present on items read from a side; what a create on the other side copies. Excluded from the hash and from
   * anything stored.
   */
  content?: MailContent;
}

/** The mutable fields only (content and envelope never change). */
export const mailFlagsOf = (p: MailFlags): MailFlags => ({ seen: p.seen, flagged: p.flagged });

const HASH_PREFIX = 'flags:';

/**
 * The "hash" the engine compares and stores in the link: the flags spelled out (`flags:SF`, `flags:S`, `flags:-`),
 * so that the link keeps the values last synced and the merge below can read them back.
 */
export function mailHash(p: MailFlags): string {
  const code = `${p.seen ? 'S' : ''}${p.flagged ? 'F' : ''}`;
  return `${HASH_PREFIX}${code || '-'}`;
}

function flagsOfHash(hash: string): MailFlags | undefined {
  if (!hash.startsWith(HASH_PREFIX)) return undefined;
  const code = hash.slice(HASH_PREFIX.length);
  return { seen: code.includes('S'), flagged: code.includes('F') };
}

/**
 * Read state and flag, merged one at a time against the values last synced: the side that changed a field since
 * then wins that field; a field only the other side changed keeps the other side's value. So a stale side never
 * flips a newer change back (docs/mail.md, "Read state and flags").
 */
export const mailFieldMerge: FieldMerge<MailProjection> = {
  merge(base, pulled, other) {
    const synced = flagsOfHash(base);
    if (!synced) return undefined;
    const pick = (field: keyof MailFlags) => (pulled[field] !== synced[field] ? pulled[field] : other[field]);
    return { ...pulled, seen: pick('seen'), flagged: pick('flagged') };
  },
};

/**
 * First-sync match keys: the same message on both sides has the same Message-ID and Date. Without a Message-ID,
 * sender + subject + date stand in. Dates are compared to the minute: Exchange and IMAP servers round differently.
 */
export function mailMatchKeys(envelope: MailEnvelope): string[] {
  const minute = (envelope.sentAt ?? envelope.receivedAt).slice(0, 16);
  if (envelope.messageId) return [`mid:${envelope.messageId.trim().toLowerCase()}|${minute}`];
  return [`env:${(envelope.from ?? '').toLowerCase()}|${envelope.subject.trim()}|${minute}`];
}
