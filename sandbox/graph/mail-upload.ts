import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../shared/platform/clock';
import { sendGraphError } from './graph-errors';
import { sendEmpty, sendJson } from './http-util';
import { newOpaqueToken } from './ids';
import type { MailStore } from './mail-store';
import type { StoredAttachment } from './mail-types';
import { newAttachmentId } from './mail-validation';

/**
 * Upload sessions for large attachments ("Attach large files to Outlook messages or events"): the session's
 * uploadUrl is pre-authenticated (a request carrying Authorization may be refused with 401), takes sequential
 * PUTs with Content-Range, answers 200 with nextExpectedRanges until the last byte, then 201 with a Location
 * naming the new attachment. Sessions live for a limited time; the fake gives them 6 hours.
 */

export const UPLOAD_PATH_PREFIX = '/upload/attachmentSessions/';
export const UPLOAD_MIN_BYTES = 3 * 1024 * 1024;
export const UPLOAD_MAX_BYTES = 150 * 1024 * 1024;
const SESSION_MS = 6 * 3600_000;

interface Session {
  userId: string;
  messageId: string;
  name: string;
  size: number;
  contentType: string;
  isInline: boolean;
  contentId: string | null;
  chunks: Buffer[];
  next: number;
  expiresAt: number;
}

export class UploadSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    private readonly store: MailStore,
    private readonly origin: () => string,
  ) {}

  open(
    userId: string,
    messageId: string,
    item: { name: string; size: number; contentType?: string; isInline?: boolean; contentId?: string },
  ): Record<string, unknown> {
    const token = newOpaqueToken();
    const expiresAt = this.clock.now() + SESSION_MS;
    this.sessions.set(token, {
      userId,
      messageId,
      name: item.name,
      size: item.size,
      contentType: item.contentType ?? 'application/octet-stream',
      isInline: item.isInline === true,
      contentId: item.contentId ?? null,
      chunks: [],
      next: 0,
      expiresAt,
    });
    return {
      uploadUrl: `${this.origin()}${UPLOAD_PATH_PREFIX}${token}`,
      expirationDateTime: new Date(expiresAt).toISOString(),
      nextExpectedRanges: ['0-'],
    };
  }

  /** PUT (a chunk) or DELETE (cancel) on an uploadUrl. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    const token = url.pathname.slice(UPLOAD_PATH_PREFIX.length);
    const session = this.sessions.get(token);
    const now = this.clock.now();
    const error = (status: number, code: string, message: string) =>
      sendGraphError(req, res, status, code, message, {}, now);
    if (!session || session.expiresAt <= now) {
      this.sessions.delete(token);
      return error(404, 'ErrorItemNotFound', 'The upload session was not found or has expired.');
    }
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'DELETE') {
      this.sessions.delete(token);
      return sendEmpty(res, 204);
    }
    if (method !== 'PUT')
      return error(405, 'ErrorInvalidRequest', 'Only PUT and DELETE are allowed on an upload session.');
    if (req.headers.authorization)
      return error(
        401,
        'InvalidAuthenticationToken',
        'The upload URL is pre-authenticated; do not send Authorization.',
      );
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!range)
      return error(
        400,
        'ErrorInvalidRequest',
        'A Content-Range header of the form bytes a-b/total is required.',
      );
    const [start, end, total] = range.slice(1).map(Number);
    if (total !== session.size || start !== session.next || end < start || end - start + 1 !== body.length) {
      return error(
        416,
        'ErrorInvalidRange',
        `The uploaded range does not match the expected range '${session.next}-'.`,
      );
    }
    session.chunks.push(body);
    session.next = end + 1;
    if (session.next < session.size) {
      return sendJson(res, 200, {
        expirationDateTime: new Date(session.expiresAt).toISOString(),
        nextExpectedRanges: [`${session.next}-`],
      });
    }
    this.sessions.delete(token);
    const attachment: StoredAttachment = {
      id: newAttachmentId(),
      name: session.name,
      contentType: session.contentType,
      size: session.size,
      isInline: session.isInline,
      contentId: session.contentId,
      contentBytes: Buffer.concat(session.chunks),
      lastModifiedDateTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    const message = this.store.addAttachment(session.userId, session.messageId, attachment);
    if (!message) return error(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    sendEmpty(res, 201, {
      location: `${this.origin()}/v1.0/users/${session.userId}/messages/${message.immutableId}/attachments/${attachment.id}`,
    });
  }
}
