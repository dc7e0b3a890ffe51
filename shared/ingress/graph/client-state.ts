import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Graph echoes a subscription's clientState in every notification; it is the only proof a notification is ours.
 * Only a salted HMAC of it is stored, so a leaked subscriptions table cannot be used to forge notifications.
 */

export interface NewClientState {
  /** Sent to Graph once at subscription create, then forgotten. */
  clientState: string;
  salt: string;
  hash: string;
}

export function hashClientState(clientState: string, salt: string): string {
  return createHmac('sha256', salt).update(clientState, 'utf8').digest('hex');
}

/** 32 random bytes → 43 base64url characters, well under Graph's 128-character limit. */
export function newClientState(): NewClientState {
  const clientState = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('base64url');
  return { clientState, salt, hash: hashClientState(clientState, salt) };
}

export function clientStateMatches(clientState: string, salt: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashClientState(clientState, salt), 'utf8');
  const expected = Buffer.from(expectedHash, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
