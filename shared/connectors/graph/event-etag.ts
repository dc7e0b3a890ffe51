/**
 * An Outlook item's version is its changeKey; its @odata.etag is the same value in a weak entity tag, W/"<changeKey>"
 * (reference graph.md §4.2). The adapter stores the bare changeKey and sends the tag form in If-Match.
 */

export function changeKeyOfEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** undefined for an unknown version (''): a write without a version to compare with stays unconditional. */
export function ifMatchFor(version: string | undefined): string | undefined {
  return version ? `W/"${version}"` : undefined;
}
