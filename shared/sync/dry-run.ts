import type { EngineContext, SideEndpoint } from './engine-context';
import type {
  ChangePage,
  IntentStore,
  LinkStore,
  RemoteItem,
  Side,
  SideAdapter,
  SyncPolicy,
  UserRef,
} from './types';

/** The id a dry run reports for a copy it did not create. */
export const NOT_CREATED = '(dry run: not created)';

/**
 * Dry run is one guard around everything a pull could write: the remote sides answer writes without making them,
 * and links and intents are not stored. The engine runs exactly as for real, so the audit rows it records (each
 * turned into a `dry-run` row naming the action, audit-rows.ts) are the report of what a real pull would do. Reads
 * go through, so the report rests on the real state of both sides.
 */
export function dryRunView<P>(ctx: EngineContext<P>): EngineContext<P> {
  const sides = Object.fromEntries(
    Object.entries(ctx.sides).map(([side, endpoint]) => [
      side,
      { ...endpoint, adapter: readOnly(endpoint.adapter) },
    ]),
  ) as EngineContext<P>['sides'];
  return { ...ctx, sides, links: unsavedLinks(ctx.links), intents: noIntents(ctx.intents) };
}

function readOnly<P>(adapter: SideAdapter<P>): SideAdapter<P> {
  const unwritten = (id: string, projection: P, source?: RemoteItem<P>): RemoteItem<P> => ({
    id,
    version: 'dry-run',
    modifiedAt: source?.modifiedAt ?? new Date(0).toISOString(),
    projection,
    matchKeys: [],
  });
  return {
    side: adapter.side,
    kind: adapter.kind,
    listChanges: (user, folder, cursor) => adapter.listChanges(user, folder, cursor),
    get: (user, id) => adapter.get(user, id),
    findByOriginKey: (user, key) => adapter.findByOriginKey(user, key),
    ...(adapter.findRenumbered && {
      findRenumbered: (user: UserRef, id: string, keys: string[]) => adapter.findRenumbered!(user, id, keys),
    }),
    create: async (_user, projection) => unwritten(NOT_CREATED, projection),
    update: async (_user, id, projection) => unwritten(id, projection),
    delete: async () => undefined,
  };
}

function unsavedLinks(links: LinkStore): LinkStore {
  return {
    findBySideId: (user, kind, side: Side, id) => links.findBySideId(user, kind, side, id),
    listLinks: (user, kind) => links.listLinks(user, kind),
    ...(links.prefetch ? { prefetch: links.prefetch.bind(links) } : {}),
    save: async (_user, link) => link,
    remove: async () => undefined,
  };
}

/** No intent is written, and none is replayed: replaying one would write. */
function noIntents(intents: IntentStore): IntentStore {
  return {
    get: (user, kind, side, sourceId) => intents.get(user, kind, side, sourceId),
    list: async () => [],
    put: async () => undefined,
    remove: async () => undefined,
  };
}

/**
 * A dry run stores its cursor, marked: the mark and the settings that decided the report, then the side's own
 * cursor. So a folder is reported once, and later dry pulls go on from the cursor (an idle folder costs what it
 * costs live: nothing on Outlook, one listing per sweep on DingTalk; Outlook's daily new calendar window is not
 * reported again, see withoutRelistings) instead of listing both sides in full again.
 * A dry run saves no links, so a marked cursor is never a live pull's starting point: the first live pull lists
 * the folder from scratch and decides every item afresh, as a first sync does. Changed settings start a new report.
 */
const DRY_CURSOR_MARK = 'dry-run:';

/** The settings a report was decided with. */
type ReportSettings = Pick<SyncPolicy, 'conflict' | 'deletes' | 'bulkDeleteMaxShare'>;

const reportKey = (policy: ReportSettings) =>
  `${DRY_CURSOR_MARK}${policy.conflict}/${policy.deletes}/${policy.bulkDeleteMaxShare}|`;

/** The cursor to store after a dry pull that listed up to `cursor`. */
export function markDryCursor(policy: ReportSettings, cursor: string): string {
  return reportKey(policy) + cursor;
}

export const isDryCursor = (stored: string | undefined): boolean =>
  stored?.startsWith(DRY_CURSOR_MARK) === true;

/**
 * Where a pull starts. A live cursor serves both kinds of pull (a dry pull after live ones reports the changes since,
 * against the links they left). A marked one serves only a dry pull under the same settings; otherwise undefined:
 * the whole folder is listed.
 */
export function startingCursor(
  stored: string | undefined,
  dry: boolean,
  policy: ReportSettings,
): string | undefined {
  if (!isDryCursor(stored)) return stored;
  const key = reportKey(policy);
  return dry && stored!.startsWith(key) ? stored!.slice(key.length) : undefined;
}

/**
 * A dry pull that goes on from its own report (a marked cursor) gets a full listing only because the adapter started
 * its listing over: Outlook's calendar window moves on once a day (graph/calendar-cursor.ts). Every item in it was
 * reported with the folder, and a dry run keeps no links to tell a new one by, so the listing is passed on as an empty
 * page: nothing is matched against the other side (a metered DingTalk listing per person a day otherwise) and no row
 * repeats the report; the cursor still moves on. A listing the engine itself starts from scratch (the cursor expired)
 * is reported again, as before.
 */
export function withoutRelistings<P>(endpoint: SideEndpoint<P>): {
  endpoint: SideEndpoint<P>;
  relisted: () => boolean;
} {
  let fromScratch = false;
  let relisted = false;
  const listed = pagesThrough(endpoint, (page, from) => {
    if (from === undefined) fromScratch = true;
    if (!page.fullListing || fromScratch) return page;
    relisted = true;
    return { ...page, changes: [], fullListing: false };
  });
  return { endpoint: listed, relisted: () => relisted };
}

/**
 * The pulled side's own cursor at the end of a dry pull's listing: the engine hands back no cursor from a dry run,
 * and the worker marks this one before it stores it (markDryCursor).
 */
export function rememberListedCursor<P>(endpoint: SideEndpoint<P>): {
  endpoint: SideEndpoint<P>;
  cursor: () => string | undefined;
} {
  let last: string | undefined;
  const listed = pagesThrough(endpoint, (page) => {
    if (!page.more) last = page.nextCursor;
    return page;
  });
  return { endpoint: listed, cursor: () => last };
}

/** The endpoint with every page its listing returns passed through `see`, which may answer another page. */
function pagesThrough<P>(
  endpoint: SideEndpoint<P>,
  see: (page: ChangePage<P>, from: string | undefined) => ChangePage<P>,
): SideEndpoint<P> {
  const adapter = endpoint.adapter;
  return {
    folder: endpoint.folder,
    adapter: {
      ...adapter,
      listChanges: async (user, folder, from) => see(await adapter.listChanges(user, folder, from), from),
    },
  };
}
