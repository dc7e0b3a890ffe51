import { answered, fail, hasRole, resolveUser, type FakeGraphServices, type GraphRequest } from './context';
import { parseContactFilter, parseContactQuery, parseFolderFilter, type ContactQuery } from './contact-odata';
import { renderContact, renderFolder } from './contact-render';
import { contactServices, type ContactServices } from './contact-services';
import type { ContactFolder, StoredContact } from './contact-store';
import { parseContactWrite, parseFolderWrite } from './contact-validation';
import { sendEmpty, sendJson } from './http-util';
import { ifMatchAllows, STALE_CHANGE_KEY } from './if-match';
import { toRestId } from './ids';
import { canonicalPropertyId } from './mail-store';

/**
 * Outlook contacts of a mailbox: /users/{id}/contactFolders[/{id}] (list, create, get, rename, delete),
 * …/contactFolders/{id}/contacts (list, create, delta), /users/{id}/contacts (the default folder), single
 * contacts under either form (get, update, delete, photo/$value). Permissions as "contact: get" and friends list
 * them for applications: Contacts.Read to read, Contacts.ReadWrite to write.
 */

const READ_ROLES = ['Contacts.Read', 'Contacts.ReadWrite'];
const WRITE_ROLES = ['Contacts.ReadWrite'];
const DEFAULT_PAGE = 10;
const DEFAULT_DELTA_PAGE = 10;
/** "Update profilePhoto": the photo can be at most 4 MB. */
export const PHOTO_MAX_BYTES = 4 * 1024 * 1024;

/** PUT …/contacts/{id}/photo/$value carries image bytes, not JSON: the fake reads its body as bytes. */
export function isContactPhotoUpload(method: string, pathname: string): boolean {
  return (
    method === 'PUT' &&
    /^\/v1\.0\/users\/[^/]+\/(contactFolders\/[^/]+\/)?contacts\/[^/]+\/photo\/\$value$/i.test(pathname)
  );
}

interface Ctx {
  s: FakeGraphServices;
  c: ContactServices;
  r: GraphRequest;
  userId: string;
  base: string;
}

export async function handleContacts(s: FakeGraphServices, r: GraphRequest): Promise<boolean> {
  const [users, userKey, ...raw] = r.segments;
  if (users !== 'users' || !userKey) return false;
  const rest = raw.flatMap((seg) => {
    const m = /^contactFolders\('([^']*)'\)$/i.exec(seg);
    return m ? ['contactFolders', m[1]!] : [seg];
  });
  if (rest[0] !== 'contacts' && rest[0] !== 'contactFolders') return false;
  if (!hasRole(r, r.method === 'GET' ? READ_ROLES : WRITE_ROLES)) {
    fail(s, r, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return true;
  }
  const user = resolveUser(s, r, userKey, true);
  if (!user) return true;
  const ctx: Ctx = {
    s,
    c: contactServices(s),
    r,
    userId: user.id,
    base: `${s.origin()}/v1.0/$metadata#users('${user.id}')`,
  };
  const store = ctx.c.store;

  if (rest[0] === 'contacts') {
    const folder = store.defaultFolder(user.id);
    if (rest.length === 1 && r.method === 'GET') return answered(listContacts(ctx, folder));
    if (rest.length === 1 && r.method === 'POST') return answered(createContact(ctx, folder));
    return contactRoutes(ctx, undefined, rest.slice(1));
  }
  if (rest.length === 1) {
    if (r.method === 'GET') return answered(listFolders(ctx));
    if (r.method === 'POST') return answered(createFolder(ctx));
    return false;
  }
  const folder = store.folder(user.id, rest[1]!);
  if (!folder) return answered(itemNotFound(ctx));
  if (rest.length === 2) {
    if (r.method === 'GET') {
      const query = parseContactQuery(r.url.searchParams);
      if (!query.ok) return answered(fail(s, r, 400, 'BadRequest', query.error));
      sendJson(r.res, 200, {
        '@odata.context': `${ctx.base}/contactFolders/$entity`,
        ...renderFolder(folder, query.value.extended),
      });
      return true;
    }
    if (r.method === 'PATCH') return answered(renameFolder(ctx, folder));
    if (r.method === 'DELETE') {
      if (folder.isDefault)
        return answered(
          fail(s, r, 400, 'ErrorDeleteDistinguishedFolder', 'Distinguished folders cannot be deleted.'),
        );
      store.deleteFolder(user.id, folder.id);
      return answered(sendEmpty(r.res, 204));
    }
    return false;
  }
  if (rest[2] !== 'contacts') return false;
  if (rest.length === 3 && r.method === 'GET') return answered(listContacts(ctx, folder));
  if (rest.length === 3 && r.method === 'POST') return answered(createContact(ctx, folder));
  if (rest.length === 4 && rest[3] === 'delta' && r.method === 'GET') return answered(delta(ctx, folder));
  return contactRoutes(ctx, folder, rest.slice(3));
}

function contactRoutes(ctx: Ctx, folder: ContactFolder | undefined, tail: string[]): boolean {
  const { s, r, userId } = ctx;
  if (tail.length === 0) return false;
  const contact = ctx.c.store.find(userId, tail[0]!);
  // The folder-scoped form finds only the folder's own contacts.
  if (!contact || (folder && contact.folderId !== folder.id)) return answered(itemNotFound(ctx));
  record(ctx, contact.folderId);
  const op = tail.slice(1);
  if (op.length === 0) {
    if (r.method === 'GET') {
      const query = readQuery(ctx);
      if (!query) return true;
      return answered(sendContact(ctx, 200, contact, query));
    }
    if (r.method === 'PATCH') {
      const parsed = parseContactWrite(r.body);
      if (!parsed.ok)
        return answered(fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message));
      if (!preconditionHolds(ctx, contact)) return true;
      const updated = ctx.c.store.update(userId, contact.immutableId, parsed.value)!;
      return answered(sendContact(ctx, 200, updated, {}));
    }
    if (r.method === 'DELETE') {
      if (!preconditionHolds(ctx, contact)) return true;
      ctx.c.store.delete(userId, contact.immutableId);
      return answered(sendEmpty(r.res, 204));
    }
    return false;
  }
  if (op.length === 2 && op[0] === 'photo' && op[1] === '$value') {
    if (r.method === 'PUT') return answered(putPhoto(ctx, contact));
    if (r.method === 'GET') {
      if (!contact.photo) return answered(fail(s, r, 404, 'ErrorItemNotFound', "The photo wasn't found."));
      r.res.writeHead(200, {
        'content-type': contact.photo.contentType,
        'content-length': String(contact.photo.bytes.length),
      });
      r.res.end(contact.photo.bytes);
      return true;
    }
  }
  return false;
}

function listFolders(ctx: Ctx): void {
  const { s, r, userId } = ctx;
  const filter = parseFolderFilter(r.url.searchParams.get('$filter'));
  if (!filter.ok) return fail(s, r, 400, 'BadRequest', filter.error);
  const page = paging(ctx);
  if (!page) return;
  const all = ctx.c.store.childFolders(userId).filter((f) => !filter.value || filter.value(f.displayName));
  sendPage(ctx, `${ctx.base}/contactFolders`, all, page, (f) => renderFolder(f));
}

function createFolder(ctx: Ctx): void {
  const { s, r, userId } = ctx;
  const parsed = parseFolderWrite(r.body, true);
  if (!parsed.ok) return fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message);
  const parent = ctx.c.store.defaultFolder(userId);
  const name = parsed.value.displayName!;
  if (ctx.c.store.siblingNamed(userId, parent.id, name)) return folderExists(ctx);
  const folder = ctx.c.store.createFolder(
    userId,
    parent.id,
    name,
    parsed.value.singleValueExtendedProperties,
  );
  sendJson(r.res, 201, { '@odata.context': `${ctx.base}/contactFolders/$entity`, ...renderFolder(folder) });
}

function renameFolder(ctx: Ctx, folder: ContactFolder): void {
  const { s, r, userId } = ctx;
  const parsed = parseFolderWrite(r.body, false);
  if (!parsed.ok) return fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message);
  const name = parsed.value.displayName;
  if (name !== undefined) {
    if (folder.isDefault)
      return fail(s, r, 400, 'ErrorInvalidRequest', 'The name of a distinguished folder cannot be changed.');
    if (ctx.c.store.siblingNamed(userId, folder.parentFolderId, name, folder.id)) return folderExists(ctx);
    ctx.c.store.renameFolder(userId, folder.id, name);
  }
  for (const p of parsed.value.singleValueExtendedProperties ?? [])
    folder.extended.set(canonicalPropertyId(p.id), { id: p.id.trim(), value: p.value });
  sendJson(r.res, 200, { '@odata.context': `${ctx.base}/contactFolders/$entity`, ...renderFolder(folder) });
}

function listContacts(ctx: Ctx, folder: ContactFolder): void {
  const { s, r, userId } = ctx;
  const query = readQuery(ctx);
  if (!query) return;
  const filter = parseContactFilter(r.url.searchParams.get('$filter'));
  if (!filter.ok) return fail(s, r, 400, 'BadRequest', filter.error);
  const page = paging(ctx);
  if (!page) return;
  record(ctx, folder.id);
  const all = ctx.c.store
    .list(userId, folder.id)
    .filter((c) => !filter.value || filter.value(c))
    .sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime) || a.seq - b.seq);
  sendPage(ctx, `${ctx.base}/contacts`, all, page, (c) =>
    renderContact(c, { immutableIds: r.immutableIds, query }),
  );
}

function createContact(ctx: Ctx, folder: ContactFolder): void {
  const { s, r, userId } = ctx;
  const parsed = parseContactWrite(r.body);
  if (!parsed.ok) return fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message);
  record(ctx, folder.id);
  const contact = ctx.c.store.create(userId, folder.id, parsed.value);
  sendContact(ctx, 201, contact, {});
}

function putPhoto(ctx: Ctx, contact: StoredContact): void {
  const { s, r, userId } = ctx;
  const type = String(r.req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const bytes = Buffer.isBuffer(r.body) ? r.body : Buffer.alloc(0);
  if (type !== 'image/jpeg')
    return fail(
      s,
      r,
      400,
      'ErrorInvalidRequest',
      `The content type '${type}' is not supported for a photo; use image/jpeg.`,
    );
  if (bytes.length === 0) return fail(s, r, 400, 'ErrorInvalidRequest', 'The photo is empty.');
  if (bytes.length > PHOTO_MAX_BYTES)
    return fail(s, r, 400, 'ErrorRequestEntityTooLarge', 'The photo can be at most 4 MB.');
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8)
    return fail(s, r, 400, 'ErrorInvalidRequest', 'The photo is not a valid JPEG image.');
  ctx.c.store.setPhoto(userId, contact.immutableId, { bytes: Buffer.from(bytes), contentType: type });
  sendEmpty(r.res, 200);
}

function delta(ctx: Ctx, folder: ContactFolder): void {
  const { s, r, userId } = ctx;
  const params = r.url.searchParams;
  const skipToken = params.get('$skiptoken');
  const deltaToken = params.get('$deltatoken');
  // "contact: delta" documents $select only.
  for (const name of ['$filter', '$orderby', '$search', '$skip', '$top', '$expand'])
    if (params.has(name))
      return fail(
        s,
        r,
        400,
        'ErrorInvalidUrlQuery',
        `The query parameter '${name}' is not supported with delta on contacts.`,
      );
  record(ctx, folder.id);
  const tracker = ctx.c.delta;
  let roundId: string;
  let offset = 0;
  if (skipToken) {
    const [id, at] = skipToken.split('~');
    const round = tracker.round(id!, userId);
    if (!round.ok || round.value.options.folderId !== folder.id) return syncStateNotFound(ctx, folder, round);
    roundId = id!;
    offset = Number(at) || 0;
  } else if (deltaToken) {
    if (params.has('$select'))
      return fail(
        s,
        r,
        400,
        'ErrorInvalidUrlQuery',
        "The query parameter '$select' is only supported on the first delta request.",
      );
    const token = tracker.token(deltaToken, userId);
    if (!token.ok || token.value.options.folderId !== folder.id) return syncStateNotFound(ctx, folder, token);
    roundId = tracker.startRound(userId, token.value.options, token.value.seq);
  } else {
    const query = readQuery(ctx);
    if (!query) return;
    roundId = tracker.startRound(userId, { folderId: folder.id, select: params.get('$select') }, undefined);
  }
  const round = tracker.round(roundId, userId);
  if (!round.ok) return syncStateNotFound(ctx, folder, round);
  const query = parseContactQuery(
    new URLSearchParams(round.value.options.select === null ? {} : { $select: round.value.options.select }),
  );
  if (!query.ok) return fail(s, r, 400, 'BadRequest', query.error);
  const maxPageSize = Number(r.prefer.get('odata.maxpagesize'));
  const pageSize = Number.isInteger(maxPageSize) && maxPageSize > 0 ? maxPageSize : DEFAULT_DELTA_PAGE;
  const rows = round.value.rows.slice(offset, offset + pageSize);
  const link = `${s.origin()}/v1.0/users/${encodeURIComponent(userId)}/contactFolders/${encodeURIComponent(folder.id)}/contacts/delta`;
  const body: Record<string, unknown> = {
    '@odata.context': `${s.origin()}/v1.0/$metadata#Collection(contact)`,
  };
  if (offset + pageSize < round.value.rows.length)
    body['@odata.nextLink'] = `${link}?$skiptoken=${roundId}~${offset + pageSize}`;
  else body['@odata.deltaLink'] = `${link}?$deltatoken=${tracker.issueToken(round.value)}`;
  body.value = rows.map((row) =>
    'removed' in row
      ? {
          '@odata.type': '#microsoft.graph.contact',
          id: r.immutableIds ? row.removed : toRestId(row.removed),
          '@removed': { reason: 'deleted' },
        }
      : {
          '@odata.type': '#microsoft.graph.contact',
          ...renderContact(row.contact, { immutableIds: r.immutableIds, query: query.value }),
        },
  );
  sendJson(r.res, 200, body);
}

function syncStateNotFound(
  ctx: Ctx,
  folder: ContactFolder,
  lookup: { ok: boolean; generation?: number; highest?: number },
): void {
  fail(
    ctx.s,
    ctx.r,
    410,
    'SyncStateNotFound',
    `The sync state generation is not found; generation=${lookup.generation ?? 0};[highest=${lookup.highest ?? 0}]`,
    {
      location: `${ctx.s.origin()}/v1.0/users/${encodeURIComponent(ctx.userId)}/contactFolders/${encodeURIComponent(folder.id)}/contacts/delta?$deltatoken=`,
    },
  );
}

interface Page {
  top: number;
  skip: number;
}

function paging(ctx: Ctx): Page | undefined {
  const top = Number(ctx.r.url.searchParams.get('$top') ?? DEFAULT_PAGE);
  const skip = Number(ctx.r.url.searchParams.get('$skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || top > 1000 || !Number.isInteger(skip) || skip < 0)
    return void fail(ctx.s, ctx.r, 400, 'BadRequest', 'Invalid $top or $skip value.');
  return { top, skip };
}

function sendPage<T>(ctx: Ctx, context: string, all: T[], page: Page, render: (item: T) => unknown): void {
  const { r, s } = ctx;
  const body: Record<string, unknown> = {
    '@odata.context': context,
    value: all.slice(page.skip, page.skip + page.top).map(render),
  };
  if (page.skip + page.top < all.length) {
    const q = (r.req.url ?? '').split('?')[1] ?? '';
    const kept = q.split('&').filter((p) => p && !/^(\$|%24)skip=/i.test(p));
    body['@odata.nextLink'] =
      `${s.origin()}${r.url.pathname}?${[...kept, `$skip=${page.skip + page.top}`].join('&')}`;
  }
  sendJson(r.res, 200, body);
}

function readQuery(ctx: Ctx): ContactQuery | undefined {
  const parsed = parseContactQuery(ctx.r.url.searchParams);
  if (!parsed.ok) return void fail(ctx.s, ctx.r, 400, 'BadRequest', parsed.error);
  return parsed.value;
}

function sendContact(ctx: Ctx, status: number, c: StoredContact, query: ContactQuery): void {
  sendJson(ctx.r.res, status, {
    '@odata.context': `${ctx.base}/contacts/$entity`,
    ...renderContact(c, { immutableIds: ctx.r.immutableIds, query }),
  });
}

/** If-Match on PATCH/DELETE, as on events and messages. */
function preconditionHolds(ctx: Ctx, c: StoredContact): boolean {
  if (ifMatchAllows(ctx.r.req, c.changeKey)) return true;
  fail(ctx.s, ctx.r, STALE_CHANGE_KEY.status, STALE_CHANGE_KEY.code, STALE_CHANGE_KEY.message);
  return false;
}

/** Exchange refuses a second folder of the same name under one parent (ErrorFolderExists; e.g. alcionai/corso#3278). */
function folderExists(ctx: Ctx): void {
  fail(ctx.s, ctx.r, 409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
}

function record(ctx: Ctx, folderId: string): void {
  ctx.c.store.recordAccess(ctx.userId, { folderId, method: ctx.r.method, path: ctx.r.path });
}

function itemNotFound(ctx: Ctx): void {
  fail(ctx.s, ctx.r, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}
