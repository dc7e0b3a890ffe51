import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Outlook-looking ids. Every item has one body and two spellings: the immutable id (what Graph returns with
 * Prefer: IdType="ImmutableId") and the regular REST id (what it returns without). Both address the item.
 */

const IMMUTABLE_PREFIX = 'AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A';
const REST_PREFIX = 'AAMkADg3NzRmYjk0LTBlMzEtNDM4YS05ZjlkLTg5ZTNmMDU5Nzc2YwBGAAAAAA';

export const newGuid = () => randomUUID();

export function newItemId(): string {
  return IMMUTABLE_PREFIX + randomBytes(30).toString('base64url');
}

/** Occurrences are computed, so their ids are derived from the master and the instance's original start. */
export function occurrenceItemId(masterId: string, originalStartIso: string): string {
  const digest = createHash('sha256')
    .update(`${toImmutableId(masterId)}|${originalStartIso}`)
    .digest('base64url');
  return IMMUTABLE_PREFIX + 'OcC' + digest.slice(0, 37);
}

export function toImmutableId(id: string): string {
  return id.startsWith(REST_PREFIX) ? IMMUTABLE_PREFIX + id.slice(REST_PREFIX.length) : id;
}

export function toRestId(id: string): string {
  return id.startsWith(IMMUTABLE_PREFIX) ? REST_PREFIX + id.slice(IMMUTABLE_PREFIX.length) : id;
}

export const newChangeKey = () => randomBytes(21).toString('base64');

export const newOpaqueToken = () => randomBytes(24).toString('base64url');

export const iCalUidFor = () =>
  '040000008200E00074C5B7101A82E00800000000' + randomBytes(24).toString('hex').toUpperCase();
