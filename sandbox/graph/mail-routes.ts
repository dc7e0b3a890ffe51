import { answered, fail, hasRole, resolveUser, type FakeGraphServices, type GraphRequest } from './context';
import { ifMatchAllows, STALE_CHANGE_KEY } from './if-match';
import { sendEmpty, sendJson } from './http-util';
import type { MailDeltaOptions, MailDeltaRow } from './mail-delta';
import { composeMime } from './mail-mime';
import {
  isDeltaFilter,
  parseMessageFilter,
  parseMessageQuery,
  parseOrderBy,
  type MessageQuery,
} from './mail-odata';
import { messageId, renderAttachment, renderFolder, renderMessage } from './mail-render';
import type { StoredMessage } from './mail-store';
import { UPLOAD_MAX_BYTES, UPLOAD_MIN_BYTES } from './mail-upload';
import { parseFileAttachment, parseMessageCreate, parseMessageUpdate } from './mail-validation';

/**
 * Outlook mail of a mailbox: /users/{id}/mailFolders[/{id|well-known name}], …/messages (list, create, delta),
 * /messages/{id} (get, update, delete, $value, move, attachments, createUploadSession).
 */

const READ_ROLES = ['Mail.Read', 'Mail.ReadWrite', 'Mail.ReadBasic.All'];
const WRITE_ROLES = ['Mail.ReadWrite'];
const DEFAULT_LIST_PAGE = 10;
const DEFAULT_DELTA_PAGE = 10;

export interface MailOptions {
  /**
   * Whether POST …/attachments and createUploadSession accept a message that is not a draft. Graph documents
   * both for drafts; on a non-draft the outcome is unverified (see docs/graph.md), so the fake accepts by
   * default and can be told to refuse.
   */
  attachmentsOnNonDraft: 'accept' | 'reject';
}

export async function handleMail(s: FakeGraphServices, r: GraphRequest): Promise<boolean> {
  const [users, userKey, ...raw] = r.segments;
  if (users !== 'users' || !userKey) return false;
  const rest = raw.flatMap((seg) => {
    const m = /^mailFolders\('([^']*)'\)$/i.exec(seg);
    return m ? ['mailFolders', m[1]] : [seg];
  });
  if (rest[0] !== 'messages' && rest[0] !== 'mailFolders') return false;
  if (!hasRole(r, r.method === 'GET' ? READ_ROLES : WRITE_ROLES)) {
    fail(s, r, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return true;
  }
  const user = resolveUser(s, r, userKey, true);
  if (!user) return true;
  const ctx = { s, r, userId: user.id, base: `${s.origin()}/v1.0/$metadata#users('${user.id}')` };

  if (rest[0] === 'mailFolders') {
    if (rest.length === 1 && r.method === 'GET') return answered(listFolders(ctx));
    const folder = s.mail.folder(user.id, rest[1]);
    if (!folder) return answered(itemNotFound(s, r));
    if (rest.length === 2 && r.method === 'GET') {
      sendJson(r.res, 200, {
        '@odata.context': `${ctx.base}/mailFolders/$entity`,
        ...renderFolder(folder, s.mail.list(user.id)),
      });
      return true;
    }
    if (rest[2] !== 'messages') return false;
    if (rest.length === 3 && r.method === 'GET') return answered(listMessages(ctx, folder.id));
    if (rest.length === 3 && r.method === 'POST') return answered(createMessage(ctx, folder.id));
    if (rest.length === 4 && rest[3] === 'delta' && r.method === 'GET')
      return answered(delta(ctx, folder.id, rest[1]));
    return messageRoutes(ctx, rest.slice(3));
  }
  if (rest.length === 1 && r.method === 'GET') return answered(listMessages(ctx, undefined));
  if (rest.length === 1 && r.method === 'POST')
    return answered(createMessage(ctx, s.mail.folder(user.id, 'drafts')!.id));
  return messageRoutes(ctx, rest.slice(1));
}

interface Ctx {
  s: FakeGraphServices;
  r: GraphRequest;
  userId: string;
  base: string;
}

async function messageRoutes(ctx: Ctx, tail: string[]): Promise<boolean> {
  const { s, r, userId } = ctx;
  if (tail.length === 0) return false;
  const message = s.mail.find(userId, tail[0]);
  if (!message) return answered(itemNotFound(s, r));
  const op = tail.slice(1);
  if (op.length === 0) {
    if (r.method === 'GET') {
      const query = readQuery(ctx);
      if (!query) return true;
      return answered(sendMessage(ctx, 200, message, query));
    }
    if (r.method === 'PATCH') return answered(updateMessage(ctx, message));
    if (r.method === 'DELETE') {
      if (!preconditionHolds(ctx, message)) return true;
      s.mail.delete(userId, tail[0]);
      return answered(sendEmpty(r.res, 204));
    }
    return false;
  }
  if (op[0] === '$value' && op.length === 1 && r.method === 'GET') {
    const bytes = await composeMime(message);
    if (!r.res.writableEnded) {
      r.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(bytes.length) });
      r.res.end(bytes);
    }
    return true;
  }
  if (op[0] === 'move' && op.length === 1 && r.method === 'POST') return answered(move(ctx, message));
  if (op[0] === 'attachments') return attachmentRoutes(ctx, message, op.slice(1));
  return false;
}

function listFolders(ctx: Ctx): void {
  const { s, r, userId } = ctx;
  const all = s.mail.list(userId);
  const value = s.mail
    .mailbox(userId)
    .folders.filter((f) => f.wellKnownName !== 'msgfolderroot')
    .map((f) => renderFolder(f, all));
  sendJson(r.res, 200, { '@odata.context': `${ctx.base}/mailFolders`, value });
}

function listMessages(ctx: Ctx, folderId: string | undefined): void {
  const { s, r, userId } = ctx;
  const query = readQuery(ctx);
  if (!query) return;
  const filter = parseMessageFilter(r.url.searchParams.get('$filter'));
  if (!filter.ok) return fail(s, r, 400, 'BadRequest', filter.error);
  const order = parseOrderBy(r.url.searchParams.get('$orderby'));
  if (!order.ok) return fail(s, r, 400, 'BadRequest', order.error);
  const top = Number(r.url.searchParams.get('$top') ?? DEFAULT_LIST_PAGE);
  const skip = Number(r.url.searchParams.get('$skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || top > 1000 || !Number.isInteger(skip) || skip < 0)
    return fail(s, r, 400, 'BadRequest', 'Invalid $top or $skip value.');
  const sign = order.value === 'desc' ? -1 : 1;
  const all = s.mail
    .list(userId, folderId)
    .filter((m) => !filter.value || filter.value(m))
    .sort(
      (a, b) =>
        sign * a.receivedDateTime.localeCompare(b.receivedDateTime) ||
        a.immutableId.localeCompare(b.immutableId),
    );
  const body: Record<string, unknown> = {
    '@odata.context': `${ctx.base}/messages`,
    value: all.slice(skip, skip + top).map((m) => renderMessage(m, { immutableIds: r.immutableIds, query })),
  };
  if (skip + top < all.length) {
    const q = (r.req.url ?? '').split('?')[1] ?? '';
    const kept = q.split('&').filter((p) => p && !/^(\$|%24)skip=/i.test(p));
    body['@odata.nextLink'] = `${s.origin()}${r.url.pathname}?${[...kept, `$skip=${skip + top}`].join('&')}`;
  }
  sendJson(r.res, 200, body);
}

function createMessage(ctx: Ctx, folderId: string): void {
  const { s, r, userId } = ctx;
  const now = new Date(s.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const parsed = parseMessageCreate(r.body, now);
  if (!parsed.ok) return fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message);
  const message = s.mail.create(userId, folderId, parsed.value);
  sendMessage(ctx, 201, message, { attachments: false });
}

function updateMessage(ctx: Ctx, message: StoredMessage): void {
  const { s, r, userId } = ctx;
  const parsed = parseMessageUpdate(r.body, message.isDraft);
  if (!parsed.ok) return fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message);
  if (!preconditionHolds(ctx, message)) return;
  const updated = s.mail.update(userId, message.immutableId, parsed.value)!;
  sendMessage(ctx, 200, updated, { attachments: false });
}

function move(ctx: Ctx, message: StoredMessage): void {
  const { s, r, userId } = ctx;
  const destinationId = (r.body as { destinationId?: unknown } | undefined)?.destinationId;
  if (typeof destinationId !== 'string' || !destinationId)
    return fail(s, r, 400, 'ErrorInvalidRequest', "The parameter 'destinationId' is required.");
  const destination = s.mail.folder(userId, destinationId);
  if (!destination)
    return fail(s, r, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  const moved = s.mail.move(userId, message.immutableId, destination.id)!;
  sendMessage(ctx, 201, moved, { attachments: false });
}

async function attachmentRoutes(ctx: Ctx, message: StoredMessage, tail: string[]): Promise<boolean> {
  const { s, r, userId } = ctx;
  const listBase = `${ctx.base}/messages('${messageId(message, r.immutableIds)}')/attachments`;
  if (tail.length === 0 && r.method === 'GET') {
    sendJson(r.res, 200, { '@odata.context': listBase, value: message.attachments.map(renderAttachment) });
    return true;
  }
  if (tail.length === 1 && tail[0] !== 'createUploadSession' && r.method === 'GET') {
    const a = message.attachments.find((x) => x.id === tail[0]);
    if (!a) return answered(itemNotFound(s, r));
    sendJson(r.res, 200, { '@odata.context': `${listBase}/$entity`, ...renderAttachment(a) });
    return true;
  }
  if (r.method !== 'POST') return false;
  if (!message.isDraft && s.mailOptions.attachmentsOnNonDraft === 'reject') {
    fail(s, r, 400, 'ErrorInvalidOperation', 'Attachments can only be added to a draft message.');
    return true;
  }
  if (tail.length === 0) {
    const now = new Date(s.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const parsed = parseFileAttachment(r.body, now);
    if (!parsed.ok) return answered(fail(s, r, parsed.error.status, parsed.error.code, parsed.error.message));
    s.mail.addAttachment(userId, message.immutableId, parsed.value);
    sendJson(r.res, 201, { '@odata.context': `${listBase}/$entity`, ...renderAttachment(parsed.value) });
    return true;
  }
  if (tail.length === 1 && tail[0] === 'createUploadSession') {
    const item = (r.body as { AttachmentItem?: Record<string, unknown> } | undefined)?.AttachmentItem;
    if (
      !item ||
      item.attachmentType !== 'file' ||
      typeof item.name !== 'string' ||
      !Number.isInteger(item.size)
    )
      return answered(
        fail(
          s,
          r,
          400,
          'ErrorInvalidRequest',
          'AttachmentItem with attachmentType "file", name and size is required.',
        ),
      );
    const size = item.size as number;
    // "Attach large files": sessions are for 3 MB to 150 MB; smaller files go through POST …/attachments.
    if (size < UPLOAD_MIN_BYTES)
      return answered(
        fail(
          s,
          r,
          400,
          'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
          'Attachment size should not be less than 3 MB.',
        ),
      );
    if (size > UPLOAD_MAX_BYTES)
      return answered(
        fail(
          s,
          r,
          400,
          'ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize',
          'Attachment size should not be greater than 150 MB.',
        ),
      );
    const session = s.mailUploads.open(userId, message.immutableId, {
      name: item.name,
      size,
      contentType: typeof item.contentType === 'string' ? item.contentType : undefined,
      isInline: item.isInline === true,
      contentId: typeof item.contentId === 'string' ? item.contentId : undefined,
    });
    sendJson(r.res, 201, {
      '@odata.context': `${s.origin()}/v1.0/$metadata#microsoft.graph.uploadSession`,
      ...session,
    });
    return true;
  }
  return false;
}

function delta(ctx: Ctx, folderId: string, folderKey: string): void {
  const { s, r, userId } = ctx;
  const params = r.url.searchParams;
  const skipToken = params.get('$skiptoken');
  const deltaToken = params.get('$deltatoken');
  let roundId: string;
  let offset = 0;
  if (skipToken || deltaToken) {
    // Tokens encode the first request's options; a later $filter is refused ("message: delta").
    if (params.has('$filter'))
      return fail(
        s,
        r,
        400,
        'ErrorInvalidUrlQuery',
        "The query parameter '$filter' is only supported on the first delta request.",
      );
    if (skipToken) {
      const [id, at] = skipToken.split('~');
      const round = s.mailDelta.round(id, userId);
      if (!round.ok || round.value.options.folderId !== folderId)
        return syncStateNotFound(ctx, folderKey, round);
      roundId = id;
      offset = Number(at) || 0;
    } else {
      const token = s.mailDelta.token(deltaToken!, userId);
      if (!token.ok || token.value.options.folderId !== folderId)
        return syncStateNotFound(ctx, folderKey, token);
      roundId = s.mailDelta.startRound(userId, token.value.options, token.value.seq);
    }
  } else {
    const options = deltaOptions(ctx, folderId, folderKey);
    if (!options) return;
    roundId = s.mailDelta.startRound(userId, options, undefined);
  }
  const round = s.mailDelta.round(roundId, userId);
  if (!round.ok) return syncStateNotFound(ctx, folderKey, round);
  const query = parseMessageQuery(
    new URLSearchParams(
      Object.entries({ $select: round.value.options.select, $expand: round.value.options.expand }).filter(
        (e): e is [string, string] => e[1] !== null,
      ),
    ),
  );
  if (!query.ok) return fail(s, r, 400, 'BadRequest', query.error);
  const maxPageSize = Number(r.prefer.get('odata.maxpagesize'));
  const pageSize = Number.isInteger(maxPageSize) && maxPageSize > 0 ? maxPageSize : DEFAULT_DELTA_PAGE;
  const rows = round.value.rows.slice(offset, offset + pageSize);
  const link = `${s.origin()}/v1.0/users/${encodeURIComponent(userId)}/mailFolders/${encodeURIComponent(folderKey)}/messages/delta`;
  const body: Record<string, unknown> = {
    '@odata.context': `${s.origin()}/v1.0/$metadata#Collection(message)`,
  };
  if (offset + pageSize < round.value.rows.length)
    body['@odata.nextLink'] = `${link}?$skiptoken=${roundId}~${offset + pageSize}`;
  else body['@odata.deltaLink'] = `${link}?$deltatoken=${s.mailDelta.issueToken(round.value)}`;
  body.value = rows.map((row) => renderRow(row, r.immutableIds, query.value));
  sendJson(r.res, 200, body);
}

function deltaOptions(ctx: Ctx, folderId: string, folderKey: string): MailDeltaOptions | undefined {
  const { s, r } = ctx;
  const params = r.url.searchParams;
  if (params.has('$search') || params.has('$skip'))
    return void fail(
      s,
      r,
      400,
      'ErrorInvalidUrlQuery',
      'The query parameter is not supported with delta on messages.',
    );
  if (!readQuery(ctx)) return undefined;
  const rawFilter = params.get('$filter');
  if (rawFilter !== null && !isDeltaFilter(rawFilter))
    return void fail(
      s,
      r,
      400,
      'ErrorInvalidUrlQuery',
      'Delta on messages supports only $filter=receivedDateTime ge|gt {value}.',
    );
  const filter = parseMessageFilter(rawFilter);
  if (!filter.ok) return void fail(s, r, 400, 'BadRequest', filter.error);
  const order = params.get('$orderby');
  if (order !== null && !/^receivedDateTime\s+desc$/i.test(order.trim()))
    return void fail(
      s,
      r,
      400,
      'ErrorInvalidUrlQuery',
      'Delta on messages supports only $orderby=receivedDateTime desc.',
    );
  const changeType = params.get('changeType') ?? undefined;
  if (changeType !== undefined && !['created', 'updated', 'deleted'].includes(changeType))
    return void fail(s, r, 400, 'ErrorInvalidUrlQuery', `The changeType '${changeType}' is not supported.`);
  return {
    folderId,
    folderKey,
    select: params.get('$select'),
    expand: params.get('$expand'),
    filter: filter.value,
    changeType: changeType as MailDeltaOptions['changeType'],
  };
}

function renderRow(row: MailDeltaRow, immutableIds: boolean, query: MessageQuery): Record<string, unknown> {
  if ('removed' in row) {
    return {
      '@odata.type': '#microsoft.graph.message',
      id: immutableIds ? row.removed.immutableId : row.removed.restId,
      '@removed': { reason: 'deleted' },
    };
  }
  return {
    '@odata.type': '#microsoft.graph.message',
    ...renderMessage(row.message, { immutableIds, query }),
  };
}

function syncStateNotFound(
  ctx: Ctx,
  folderKey: string,
  lookup: { ok: boolean; generation?: number; highest?: number },
): void {
  const { s, r, userId } = ctx;
  fail(
    s,
    r,
    410,
    'SyncStateNotFound',
    `The sync state generation is not found; generation=${lookup.generation ?? 0};[highest=${lookup.highest ?? 0}]`,
    {
      location: `${s.origin()}/v1.0/users/${encodeURIComponent(userId)}/mailFolders/${encodeURIComponent(folderKey)}/messages/delta?$deltatoken=`,
    },
  );
}

function readQuery(ctx: Ctx): MessageQuery | undefined {
  const parsed = parseMessageQuery(ctx.r.url.searchParams);
  if (!parsed.ok) return void fail(ctx.s, ctx.r, 400, 'BadRequest', parsed.error);
  return parsed.value;
}

function sendMessage(ctx: Ctx, status: number, m: StoredMessage, query: MessageQuery): void {
  sendJson(ctx.r.res, status, {
    '@odata.context': `${ctx.base}/messages/$entity`,
    ...renderMessage(m, { immutableIds: ctx.r.immutableIds, query }),
  });
}

/** If-Match on PATCH/DELETE, as on events. */
function preconditionHolds(ctx: Ctx, m: StoredMessage): boolean {
  if (ifMatchAllows(ctx.r.req, m.changeKey)) return true;
  fail(ctx.s, ctx.r, STALE_CHANGE_KEY.status, STALE_CHANGE_KEY.code, STALE_CHANGE_KEY.message);
  return false;
}

function itemNotFound(s: FakeGraphServices, r: GraphRequest): void {
  fail(s, r, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}
