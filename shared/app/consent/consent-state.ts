import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The `state` of the admin-consent round trip: a token the consent page makes and the callback checks, so that the
 * callback acts only on a redirect that a holder of the function key started within the last hour. Microsoft hands
 * `state` back unchanged ("A value included in the request that will also be returned in the token response",
 * learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent).
 *
 * Form: `v1.<expiry, Unix seconds>.<16 random bytes>.<HMAC-SHA256 of the rest>`, all URL-safe. Nothing in it is
 * secret; only the key is.
 */

export const CONSENT_STATE_LIFETIME_MS = 60 * 60 * 1000;

const VERSION = 'v1';
const FORM = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export type StateCheck =
  { ok: true; expiresAt: number } | { ok: false; reason: 'missing' | 'malformed' | 'signature' | 'expired' };

/**
 * The signing key, derived from DINGTALK_CALLBACK_AES_KEY: every instance of the app has the same value (so a state
 * made by one instance verifies on another), it is a secret the app already keeps out of logs, and it is validated
 * as 43 random letters and digits (about 256 bits). HKDF with a label of its own makes a key that is useless for
 * anything else, and binding the tenant and client ids means a state made for another app registration or tenant
 * never verifies here. Changing the AES key only voids states of the last hour.
 */
export function consentStateKey(secret: string, binding: { tenantId: string; clientId: string }): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      secret,
      'dingtalk-m365-sync admin-consent state',
      `${VERSION}\n${binding.tenantId.toLowerCase()}\n${binding.clientId.toLowerCase()}`,
      32,
    ),
  );
}

export function createConsentState(
  key: Buffer,
  nowMs: number,
  options: { lifetimeMs?: number; nonce?: Buffer } = {},
): { state: string; expiresAt: number } {
  const expirySeconds = Math.floor((nowMs + (options.lifetimeMs ?? CONSENT_STATE_LIFETIME_MS)) / 1000);
  const nonce = (options.nonce ?? randomBytes(16)).subarray(0, 16).toString('base64url');
  const body = `${VERSION}.${expirySeconds}.${nonce}`;
  return { state: `${body}.${mac(key, body).toString('base64url')}`, expiresAt: expirySeconds * 1000 };
}

export function verifyConsentState(key: Buffer, state: string | null | undefined, nowMs: number): StateCheck {
  if (!state) return { ok: false, reason: 'missing' };
  const match = FORM.exec(state);
  if (!match) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(match[3], 'base64url');
  // Only the canonical spelling: base64url's last character has spare bits, which would let one MAC be written
  // several ways.
  if (given.toString('base64url') !== match[3]) return { ok: false, reason: 'signature' };
  const expected = mac(key, `${VERSION}.${match[1]}.${match[2]}`);
  // Constant time, so that timing does not reveal how much of a forged MAC is right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature' };
  }
  const expiresAt = Number(match[1]) * 1000;
  if (expiresAt <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt };
}

const mac = (key: Buffer, body: string): Buffer => createHmac('sha256', key).update(body).digest();
