import { createHash } from 'node:crypto';
import { normalizeMailbox } from './mailbox-address';

/**
 * Key Vault secret names of the per-mailbox app passwords. Key Vault allows ^[0-9a-zA-Z-]{1,127}$ and compares names
 * case-insensitively, so a name is built from lower-case letters, digits and "-" only:
 *
 * - Escaped form, used whenever it fits: "imap-" + the normalised address (normalizeMailbox) with every UTF-8 byte
 *   that is not [a-z0-9] written as "-" and two lower-case hex digits. "alice.wang@example.com" is
 *   "imap-alice-2ewang-40example-2ecom". Readable in the portal, and reversible (mailboxOfSecretName), so two
 *   distinct addresses can never share a name.
 * - Hashed form, for the rare address whose escaped form would pass 127 characters: "imap--sha256-" + the hex SHA-256
 *   of the normalised address (77 characters). In the escaped form a "-" is always followed by two hex digits, so
 *   "imap--s…" can never be an escaped name: the two forms never meet. Distinct addresses in hashed form share a
 *   name only if SHA-256 collides.
 *
 * Either way the secret also carries the address in its "mailbox" tag, which is how listings show it.
 */

export const APP_PASSWORD_SECRET_PREFIX = 'imap-';
const HASHED_PREFIX = `${APP_PASSWORD_SECRET_PREFIX}-sha256-`;
const MAX_SECRET_NAME = 127;

export function appPasswordSecretName(address: string): string {
  const normalized = normalizeMailbox(address);
  let escaped = '';
  for (const byte of Buffer.from(normalized, 'utf8')) {
    const isPlain = (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39);
    escaped += isPlain ? String.fromCharCode(byte) : `-${byte.toString(16).padStart(2, '0')}`;
  }
  const name = APP_PASSWORD_SECRET_PREFIX + escaped;
  if (name.length <= MAX_SECRET_NAME) return name;
  return HASHED_PREFIX + createHash('sha256').update(normalized, 'utf8').digest('hex');
}

/** The address an escaped name stands for; undefined for a hashed name or a name that is not an app password's. */
export function mailboxOfSecretName(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (!lower.startsWith(APP_PASSWORD_SECRET_PREFIX) || lower.startsWith(HASHED_PREFIX)) return undefined;
  const out: number[] = [];
  const body = lower.slice(APP_PASSWORD_SECRET_PREFIX.length);
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '-') {
      if (!/[a-z0-9]/.test(c)) return undefined;
      out.push(c.charCodeAt(0));
      continue;
    }
    const hex = body.slice(i + 1, i + 3);
    if (!/^[0-9a-f]{2}$/.test(hex)) return undefined;
    out.push(parseInt(hex, 16));
    i += 2;
  }
  const decoded = Buffer.from(out).toString('utf8');
  return appPasswordSecretName(decoded) === lower && out.length > 0 ? decoded : undefined;
}
