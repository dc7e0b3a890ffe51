import type { Side } from '../../sync/types';

/**
 * Whether a hint announces exactly a version we already hold. Graph notifications carry the item's @odata.etag
 * (W/"<changeKey>"), and links keep the changeKey. DingTalk callbacks carry CalendarEventUpdateTime in
 * milliseconds, and DingTalk versions start with the updateTime the API returns, to the second
 * (docs/dingtalk.md): the same second counts as the same version, and the folder's next pull confirms it, since
 * a suppressed hint leaves the cursor where it was.
 */
export function sameVersion(side: Side, stored: string | undefined, hinted: string | undefined): boolean {
  if (!stored || !hinted) return false;
  if (side === 'outlook') return unquoteEtag(stored) === unquoteEtag(hinted);
  const storedSecond = secondOf(stored.split('#')[0]);
  const hintedSecond = secondOf(hinted);
  return storedSecond !== undefined && storedSecond === hintedSecond;
}

export function unquoteEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

function secondOf(stamp: string): number | undefined {
  const ms = /^\d+$/.test(stamp) ? Number(stamp) : Date.parse(stamp);
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : undefined;
}
