import { createHash } from 'node:crypto';

/**
 * When a polled folder is due, as pure arithmetic. Each folder has a stable offset inside the poll interval (a hash
 * of its key), so N folders polled every I ms fall evenly over the interval instead of in waves, and a folder's
 * polls stay on its slot however long each one takes.
 */
export function pollOffsetMs(folderKey: string, intervalMs: number): number {
  const hash = createHash('sha256').update(folderKey).digest();
  return hash.readUInt32BE(0) % Math.max(1, Math.floor(intervalMs));
}

/** The first slot time of this folder strictly after `now`. */
export function nextPollAt(folderKey: string, intervalMs: number, now: number): number {
  const offset = pollOffsetMs(folderKey, intervalMs);
  const cycles = Math.floor((now - offset) / intervalMs) + 1;
  return offset + cycles * intervalMs;
}

/** Azure Storage queues keep a message invisible for at most seven days. */
export const MAX_QUEUE_DELAY_SECONDS = 7 * 24 * 3600;

export function delaySecondsUntil(at: number, now: number): number {
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)));
}
