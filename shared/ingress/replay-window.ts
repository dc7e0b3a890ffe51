/**
 * Replay protection by time: a signed request is only honoured near the moment it claims to have been made.
 * Both directions are checked, since a far-future timestamp would otherwise stay replayable for as long as it is
 * in the future.
 */
export function isWithinWindow(timestampMs: number, nowMs: number, windowSeconds: number): boolean {
  return Number.isFinite(timestampMs) && Math.abs(nowMs - timestampMs) <= windowSeconds * 1000;
}
