import { systemClock, type Clock } from '../platform/clock';
import type { Storage } from '../platform/storage';
import { TableAuditLog } from './audit-log';
import { ColleagueStore } from './colleague-store';
import { TableControlStore } from './control-store';
import { BatchingCallCounter, TableCallCounter, type MonthlyCounter } from './call-counter';
import { TableFailureRepository } from './failure-repository';
import { TableJobStore } from './job-store';
import { TableMailCredentialStore } from './mail-credential-store';
import { PairStateStore } from './pair-state-store';
import { TableSubscriptionRepository } from './subscription-repository';
import { tableNames } from './table-names';
import { TableUserRepository } from './user-repository';
import { StorageWorkQueue, SYNC_WORK_QUEUE } from './work-queue';

export interface Stores {
  users: TableUserRepository;
  subscriptions: TableSubscriptionRepository;
  /** Per (pair, kind): the lease, both cursors, pending intents and the links, in one partition. */
  pairState: PairStateStore;
  failures: TableFailureRepository;
  audit: TableAuditLog;
  workQueue: StorageWorkQueue;
  /** The org's monthly count of metered DingTalk calls, shared by every instance. */
  dingtalkCalls: MonthlyCounter;
  /** The maintenance jobs' leases, last runs and requests. */
  jobs: TableJobStore;
  /** The pause switch: one row for the organisation, read by the worker once per 30 s per instance. */
  control: TableControlStore;
  /** DingTalk mailboxes whose app password the mail server rejected (shared/app/mail/credential-guard.ts). */
  mailCredentials: TableMailCredentialStore;
  /** The optional colleagues folder's directory snapshot and pending mailboxes (docs/contacts-colleagues.md). */
  colleagues: ColleagueStore;
}

/** Every repository on one storage account. A prefix gives tests (or a second install) their own tables. */
export function createStores(
  storage: Storage,
  options: { tablePrefix?: string; queueName?: string; clock?: Clock } = {},
): Stores {
  const names = tableNames(options.tablePrefix);
  return {
    users: new TableUserRepository(storage, names.users),
    subscriptions: new TableSubscriptionRepository(
      storage,
      names.subscriptions,
      options.clock ?? systemClock,
    ),
    pairState: new PairStateStore(storage, names.pairState),
    failures: new TableFailureRepository(storage, names.failures),
    audit: new TableAuditLog(storage, names.audit),
    workQueue: new StorageWorkQueue(storage, options.queueName ?? SYNC_WORK_QUEUE),
    dingtalkCalls: new BatchingCallCounter(new TableCallCounter(storage, names.quota)),
    jobs: new TableJobStore(storage, names.jobs),
    control: new TableControlStore(storage, names.jobs),
    mailCredentials: new TableMailCredentialStore(storage, names.mailCredentials),
    colleagues: new ColleagueStore(storage, names.colleagues),
  };
}
