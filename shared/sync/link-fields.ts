import { linkIdFor } from './deterministic-keys';
import type { Kind, Link, RemoteItem, Side } from './types';

/** Reading and writing one side's half of a Link without spelling out dingtalkId/outlookId at every call site. */

export const idOn = (link: Link, side: Side): string | undefined =>
  side === 'dingtalk' ? link.dingtalkId : link.outlookId;

export const versionOn = (link: Link, side: Side): string | undefined =>
  side === 'dingtalk' ? link.dingtalkVersion : link.outlookVersion;

export function withSide(link: Link, side: Side, id: string, version: string): Link {
  return side === 'dingtalk'
    ? { ...link, dingtalkId: id, dingtalkVersion: version }
    : { ...link, outlookId: id, outlookVersion: version };
}

export function withoutSide(link: Link, side: Side): Link {
  return side === 'dingtalk'
    ? { ...link, dingtalkId: undefined, dingtalkVersion: undefined }
    : { ...link, outlookId: undefined, outlookVersion: undefined };
}

export function newLink(kind: Kind, side: Side, id: string): Link {
  return { linkId: linkIdFor(kind, side, id), kind, projectionHash: '' };
}

/** Both halves set from items just read or written, and the hash of the projection they now share. */
export function pairOf<P>(
  base: Link,
  a: { side: Side; item: RemoteItem<P> },
  b: { side: Side; item: RemoteItem<P> },
  projectionHash: string,
): Link {
  const paired = withSide(
    withSide(base, a.side, a.item.id, a.item.version),
    b.side,
    b.item.id,
    b.item.version,
  );
  return { ...paired, projectionHash, tombstone: undefined };
}
