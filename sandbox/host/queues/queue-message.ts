/** How the queue trigger reads a message: its name rules, body decoding, poison queue name and trigger metadata. */
import { randomUUID } from 'node:crypto';
import type { ReceivedMessageItem } from '@azure/storage-queue';

const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
const MAX_QUEUE_NAME = 63;
const POISON_SUFFIX = '-poison';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The runtime lower-cases the configured name, then validates it. */
export function normalizeQueueName(name: string): string {
  const lower = name.toLowerCase();
  if (!QUEUE_NAME.test(lower)) {
    throw new Error(
      `Invalid queue name: '${name}'. A queue name must be 3-63 characters, lower-case letters, digits and single hyphens, starting and ending with a letter or digit.`,
    );
  }
  return lower;
}

/** A queue whose name ends in -poison, or is too long for the suffix, has no poison queue. */
export function poisonQueueNameOf(queueName: string): string | undefined {
  if (queueName.endsWith(POISON_SUFFIX) || queueName.length + POISON_SUFFIX.length > MAX_QUEUE_NAME)
    return undefined;
  return queueName + POISON_SUFFIX;
}

/** The message body as text; undefined when host.json says base64 and the body is not valid base64. */
export function decodeMessageText(raw: string, encoding: 'base64' | 'none'): string | undefined {
  if (encoding === 'none') return raw;
  const compact = raw.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** What the handler receives: like the library's fromRpcTypedData, JSON text becomes a value, other text stays. */
export function triggerInputOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `context.triggerMetadata` as the library presents the runtime's queue binding data (camel-cased). */
export function triggerMetadataOf(
  item: ReceivedMessageItem,
  text: string,
  functionName: string,
): Record<string, unknown> {
  return {
    queueTrigger: text,
    dequeueCount: item.dequeueCount,
    expirationTime: item.expiresOn.toISOString(),
    id: item.messageId,
    insertionTime: item.insertedOn.toISOString(),
    nextVisibleTime: item.nextVisibleOn.toISOString(),
    popReceipt: item.popReceipt,
    sys: { methodName: functionName, utcNow: new Date().toISOString(), randGuid: randomUUID() },
  };
}
