/**
 * Mailbox addresses as the app keys them: one spelling per mailbox, so that "Alice@Example.com" and
 * "alice@example.com" find the same app password and the same "credentials rejected" state.
 *
 * What is accepted (RFC 5321 §4.1.2 and §4.5.3.1, widened to UTF-8 by RFC 6531 because DingTalk mail may carry
 * internationalised addresses): a dot-atom local part (ASCII atext or any non-ASCII letter, no leading, trailing or
 * doubled dot) of at most 64 bytes, "@", and a domain of at least two labels (letters, digits, inner hyphens; non-ASCII
 * letters allowed as IDN U-labels) of at most 63 bytes each, 254 bytes in all. Refused on purpose, although RFC 5321
 * allows them: quoted local parts and address literals ("[192.0.2.1]"), which no mailbox provisioned in DingTalk's
 * mail admin has and which are far likelier to be a typing or column mistake than a real mailbox.
 *
 * Case: RFC 5321 lets a server treat the local part case-sensitively, but DingTalk mail (like every mainstream
 * provider) does not, and a pair's e-mail comes from two directories that may spell it differently, so the whole
 * address is lower-cased (after Unicode NFC, so composed and decomposed forms are one address).
 */

export type AddressCheck = { ok: true; address: string } | { ok: false; reason: string };

const MAX_ADDRESS_BYTES = 254;
const MAX_LOCAL_BYTES = 64;
const MAX_LABEL_BYTES = 63;
/** RFC 5322 atext, plus any non-ASCII character that is a letter, mark or digit (RFC 6531 UTF8-non-ascii). */
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\p{L}\p{M}\p{N}]+$/u;
const LABEL = /^[A-Za-z0-9\p{L}\p{M}\p{N}](?:[A-Za-z0-9\p{L}\p{M}\p{N}-]*[A-Za-z0-9\p{L}\p{M}\p{N}])?$/u;

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** The address in the one spelling the app keys by; no validation (see checkMailboxAddress). */
export function normalizeMailbox(address: string): string {
  return address.trim().normalize('NFC').toLowerCase();
}

/** Whether `text` is a mailbox address the app can key and log in with; the reason is plain words for an admin. */
export function checkMailboxAddress(text: string): AddressCheck {
  const address = normalizeMailbox(text);
  if (address === '') return { ok: false, reason: 'the e-mail address is empty' };
  if (/[<>]/.test(address)) {
    return { ok: false, reason: 'give the bare e-mail address, without a name or angle brackets' };
  }
  if (/\s/u.test(address)) return { ok: false, reason: 'the e-mail address contains a space' };
  const at = address.lastIndexOf('@');
  if (at < 0) return { ok: false, reason: 'the e-mail address has no "@"' };
  if (address.indexOf('@') !== at) return { ok: false, reason: 'the e-mail address has more than one "@"' };
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local === '') return { ok: false, reason: 'the e-mail address has nothing before "@"' };
  if (domain === '') return { ok: false, reason: 'the e-mail address has no domain after "@"' };
  if (local.startsWith('"')) return { ok: false, reason: 'quoted local parts are not supported' };
  if (domain.startsWith('['))
    return { ok: false, reason: 'address literals such as [192.0.2.1] are not supported' };
  if (bytes(address) > MAX_ADDRESS_BYTES) {
    return { ok: false, reason: `the e-mail address is longer than ${MAX_ADDRESS_BYTES} bytes` };
  }
  if (bytes(local) > MAX_LOCAL_BYTES) {
    return { ok: false, reason: `the part before "@" is longer than ${MAX_LOCAL_BYTES} bytes` };
  }
  if (!local.split('.').every((atom) => ATEXT.test(atom))) {
    return {
      ok: false,
      reason:
        'the part before "@" has a character not allowed there, or a dot at its start, end or twice in a row',
    };
  }
  const labels = domain.split('.');
  if (labels.length < 2) return { ok: false, reason: 'the domain needs at least one dot, e.g. example.com' };
  for (const label of labels) {
    if (!LABEL.test(label) || bytes(label) > MAX_LABEL_BYTES) {
      return {
        ok: false,
        reason:
          'the domain has an empty or invalid part (letters, digits and inner hyphens only, 63 bytes at most)',
      };
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1])) {
    return { ok: false, reason: 'the domain ends in a number; an IP address is not a mail domain here' };
  }
  return { ok: true, address };
}
