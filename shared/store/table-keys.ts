import { InvalidKeyError } from './errors';

/**
 * PartitionKey/RowKey rules of Azure Table Storage. Azurite answers a '/' in a key with a 500 and accepts the
 * other forbidden characters, so the rules are checked here before every write.
 */

/** 1 KiB of UTF-16: the service's key size limit. */
export const MAX_KEY_LENGTH = 512;

// eslint-disable-next-line no-control-regex -- the service forbids control characters in keys
const FORBIDDEN_IN_KEY = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

export function assertValidKey(value: unknown, which: 'PartitionKey' | 'RowKey'): asserts value is string {
  if (typeof value !== 'string') throw new InvalidKeyError(`${which} must be a string, got ${typeof value}`);
  if (value.length === 0) throw new InvalidKeyError(`${which} must not be empty`);
  if (value.length > MAX_KEY_LENGTH) {
    throw new InvalidKeyError(
      `${which} is ${value.length} characters; the limit is ${MAX_KEY_LENGTH} (1 KiB)`,
    );
  }
  const bad = FORBIDDEN_IN_KEY.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new InvalidKeyError(
      `${which} contains a forbidden character U+${code} at position ${bad.index}; encode ids with encodeKeyPart()`,
    );
  }
}

/** Joins the parts of a composite key; encodeKeyPart escapes it inside parts, so joins never collide. */
export const KEY_SEPARATOR = '|';
/** The character after KEY_SEPARATOR, as the exclusive upper bound of a prefix range. */
const AFTER_SEPARATOR = String.fromCharCode(KEY_SEPARATOR.charCodeAt(0) + 1);

// eslint-disable-next-line no-control-regex -- the service forbids control characters in keys
const ESCAPED = /[%|/\\#?\u0000-\u001f\u007f-\u009f]/g;

/**
 * Makes any id usable inside a key, deterministically and reversibly: the forbidden characters, the separator
 * and '%' itself become %XX. Chosen over base64 so that keys stay readable in Storage Explorer and ids without
 * such characters (most of them) stay unchanged.
 */
export function encodeKeyPart(id: string): string {
  return id.replace(ESCAPED, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

export function decodeKeyPart(encoded: string): string {
  return encoded.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** A composite key such as "link|<linkId>", validated. */
export function joinKey(...parts: string[]): string {
  return parts.map(encodeKeyPart).join(KEY_SEPARATOR);
}

/** Bounds of every key that starts with joinKey(...parts) followed by the separator. */
export function prefixRange(...parts: string[]): { from: string; to: string } {
  const prefix = joinKey(...parts);
  return { from: prefix + KEY_SEPARATOR, to: prefix + AFTER_SEPARATOR };
}
