import type { z } from 'zod';
import { utf8ByteLength } from '../body-size';
import { isJsonContentType } from '../content-type';
import { parseJsonObject } from '../json-object';
import { reject, type Rejection } from '../rejection';

export const DEFAULT_MAX_BATCH_ITEMS = 1000;
/** Basic notifications are about 1 KB each, so a full batch fits with room to spare. */
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

/** An item left out of a batch, by position, with a reason that is safe to log (it never quotes field values). */
export interface DroppedItem {
  index: number;
  reason: string;
}

export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`).join('; ');

/** Graph's `{ "value": [...] }` wrapper, shared by change and lifecycle notifications. Items are checked by the caller. */
export function readBatchValues(
  contentType: string | undefined,
  body: string,
  maxBytes: number,
  maxItems: number,
): { ok: true; values: unknown[] } | Rejection {
  if (!isJsonContentType(contentType)) return reject(415, 'content type must be application/json');
  if (typeof body !== 'string') return reject(400, 'body is missing');
  if (utf8ByteLength(body) > maxBytes) return reject(413, 'body is larger than the notification cap');
  const envelope = parseJsonObject(body);
  const values = envelope?.['value'];
  if (!Array.isArray(values)) return reject(400, 'body is not a JSON object with a value array');
  if (values.length > maxItems) return reject(413, `batch holds more than ${maxItems} notifications`);
  return { ok: true, values };
}
