import { z } from 'zod';
import type { WorkItem } from './types';
import { SyncError } from '../sync/errors';
import { KINDS } from '../sync/types';

/**
 * The one gate for WorkItems crossing a process boundary: checked before a message is sent and again when one is
 * received, because a queue can hold anything (old versions, manual test messages, poison).
 */
/**
 * The most items one queue message names (hints joined by the ingress's group commit). Beyond it a joined hint
 * names none, and its pull lists the folder as for any change; the worker reads the links of the named items with
 * the state row in one query (pair-state-store.ts, MAX_KEYS_PER_QUERY), so more would not be read anyway.
 */
export const MAX_HINT_ITEMS = 12;

const hintedItemSchema = z.object({
  itemId: z.string().min(1).max(1024),
  version: z.string().min(1).max(256).optional(),
  deleted: z.boolean().optional(),
});

const workItemSchema = z.object({
  pairId: z.string().min(1).max(256),
  kind: z.enum(KINDS),
  side: z.enum(['dingtalk', 'outlook']),
  folder: z.string().min(1).max(1024),
  reason: z.string().min(1).max(64),
  resync: z.boolean().optional(),
  hintedAt: z.number().int().nonnegative().optional(),
  itemId: z.string().min(1).max(1024).optional(),
  version: z.string().min(1).max(256).optional(),
  deleted: z.boolean().optional(),
  moreItems: z
    .array(hintedItemSchema)
    .max(MAX_HINT_ITEMS - 1)
    .optional(),
  subscriptionDue: z.string().min(1).max(256).optional(),
});

export class InvalidWorkItemError extends SyncError {
  constructor(message: string) {
    super(message, { code: 'invalid-work-item', retryable: false, side: 'queue' });
  }
}

/** Validates a WorkItem given as an object or as its JSON text; unknown fields are dropped. */
export function parseWorkItem(input: unknown): WorkItem {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new InvalidWorkItemError(`work item is not JSON: ${JSON.stringify(input.slice(0, 80))}`);
    }
  }
  const parsed = workItemSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new InvalidWorkItemError(`malformed work item: ${problems}`);
  }
  // Optional fields are left out rather than set to undefined, so a parsed item equals the one sent.
  return Object.fromEntries(
    Object.entries(parsed.data).filter(([, v]) => v !== undefined),
  ) as unknown as WorkItem;
}
