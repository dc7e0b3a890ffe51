import { randomBytes } from 'node:crypto';
import { QueueClient } from '@azure/storage-queue';
import { createLogger, type LogLevel, type Logger } from '../../../shared/platform/logger';
import { createStorage, type Storage } from '../../../shared/platform/storage';
import { createStores, type Stores } from '../../../shared/store';
import type { UserPair, WorkItem } from '../../../shared/store/types';
import { decodeWorkMessage } from '../../../shared/store/work-queue';
import type { Clock } from '../../../shared/platform/clock';
import type { Kind } from '../../../shared/sync/types';
import { trackAuditOutbox } from '../../support/audit-outboxes';

/** Helpers shared by the app-layer integration suites (real Azurite, one set of tables and a queue per call). */

export interface AppStores {
  storage: Storage;
  stores: Stores;
  prefix: string;
  queueName: string;
  /** Every log line written through `log`. */
  logLines: Array<{ level: LogLevel; line: string }>;
  log: Logger;
}

export function freshAppStores(clock?: Clock): AppStores {
  const connection = process.env.TEST_AZURITE_CONNECTION;
  if (!connection) throw new Error('TEST_AZURITE_CONNECTION is not set: run through jest');
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const queueName = `q-${prefix}`;
  const storage = createStorage({ connectionString: connection });
  const logLines: AppStores['logLines'] = [];
  const log = createLogger({ level: 'debug', sink: (level, line) => logLines.push({ level, line }) });
  const stores = createStores(storage, { tablePrefix: prefix, queueName, clock });
  trackAuditOutbox(stores);
  return { storage, prefix, queueName, logLines, log, stores };
}

export function pairFor(
  entraId: string,
  overrides: Partial<UserPair> = {},
  kinds: Kind[] = ['calendar'],
): UserPair {
  return {
    pairId: entraId,
    dingtalkUserId: `dt-${entraId.slice(0, 8)}`,
    dingtalkUnionId: `union-${entraId.slice(0, 8)}`,
    entraId,
    userPrincipalName: `${entraId.slice(0, 8)}@contoso.example`,
    email: `${entraId.slice(0, 8)}@contoso.example`,
    status: 'active',
    enabledKinds: kinds,
    pairedBy: 'email',
    ...overrides,
  };
}

/** A raw client on a queue, to see messages the way the sync-worker trigger receives them. */
export function rawQueue(queueName: string): QueueClient {
  return new QueueClient(process.env.TEST_AZURITE_CONNECTION!, queueName);
}

/** Receives and deletes every visible message; delayed ones stay. */
export async function drainQueue(queueName: string): Promise<WorkItem[]> {
  const queue = rawQueue(queueName);
  if (!(await queue.exists())) return [];
  const out: WorkItem[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return out;
    for (const m of receivedMessageItems) {
      out.push(decodeWorkMessage(m.messageText));
      await queue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

/** Messages on the queue, visible or not (a delayed message counts before it shows). */
export async function queueDepth(queueName: string): Promise<number> {
  const queue = rawQueue(queueName);
  if (!(await queue.exists())) return 0;
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

/** Order-free comparison of work items. */
export const workKeys = (items: WorkItem[]): string[] =>
  items
    .map((w) => `${w.pairId}|${w.kind}|${w.side}|${w.folder}|${w.reason}${w.resync ? '|resync' : ''}`)
    .sort();
