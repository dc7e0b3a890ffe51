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

/**
 * The whole batch is refused only when the envelope is wrong; a malformed item is dropped with its reason and the
 * rest kept, because Graph retries the whole POST on a 4xx/5xx and the good items would be delayed with it.
 */
export function parseBatchItems<S extends z.ZodType, I>(
  request: { contentType: string | undefined; body: string; maxBytes: number; maxItems: number },
  schema: S,
  toItem: (data: z.infer<S>) => I,
): { ok: true; items: I[]; dropped: DroppedItem[] } | Rejection {
  const envelope = readBatchValues(request.contentType, request.body, request.maxBytes, request.maxItems);
  if (!envelope.ok) return envelope;
  const items: I[] = [];
  const dropped: DroppedItem[] = [];
  envelope.values.forEach((value, index) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) items.push(toItem(parsed.data as z.infer<S>));
    else dropped.push({ index, reason: describeIssues(parsed.error) });
  });
  return { ok: true, items, dropped };
}

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
