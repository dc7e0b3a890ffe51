import type { Clock } from '../../platform/clock';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import { GraphApi, type GraphApiOptions } from './http-client';
import { createGraphSdkClient } from './graph-client-factory';
import { OutlookCalendarAdapter } from './calendar-adapter';
import { OutlookContactAdapter, type IsContactLabel } from './contact-adapter';
import { OutlookMailAdapter } from './mail-adapter';
import { MailTransfer } from './mail-transfer';
import { GraphSubscriptionsApi } from './subscriptions-api';
import { OutlookTodoAdapter } from './todo-adapter';
import {
  ClientCredentialsTokenProvider,
  graphScopeFor,
  type ClientCredentials,
  type TokenProviderOptions,
} from './token-provider';
import { GraphUsersApi } from './directory';

/** Wires the Microsoft side from the validated config: one token provider, one client, one per-mailbox limiter. */

export interface GraphConnector {
  tokenProvider: ClientCredentialsTokenProvider;
  api: GraphApi;
  subscriptions: GraphSubscriptionsApi;
  users: GraphUsersApi;
  calendar: OutlookCalendarAdapter;
  mail: OutlookMailAdapter;
  /** Sent Items, synced when the admin turns on MAIL_SENT. */
  sentMail: OutlookMailAdapter;
  /** The product's "DingTalk 外部联系人" contact folder of each mailbox. */
  contacts: OutlookContactAdapter;
  /** Microsoft To Do: the product's "DingTalk" list of each mailbox. */
  todo: OutlookTodoAdapter;
}

export interface GraphConnectorOptions extends Omit<GraphApiOptions, 'tokenProvider'> {
  clock?: Clock;
  logger?: Logger;
  /** Zone for all-day events whose original zone Graph does not tell (default UTC). */
  defaultTimeZone?: string;
  /** Which Outlook categories are DingTalk labels (e.g. the DingTalk contact adapter's labels.isLabel). */
  isContactLabel?: IsContactLabel;
  /** The owner's zone of to-do due days (TODO_TIME_ZONE; default Asia/Shanghai). */
  todoTimeZone?: string;
  /** Where the Graph credential comes from (default: the app's managed identity and Key Vault). */
  tokens?: Omit<TokenProviderOptions, 'clock' | 'logger'>;
}

/** The Graph settings; without `credential`, a client secret means "secret" and none "managed-identity". */
export type GraphSettings = Omit<ClientCredentials, 'scope' | 'keyVaultUrl' | 'managedIdentityClientId'> & {
  baseUrl: string;
};

export function createGraphConnector(
  config: Pick<Config, 'sync'> & {
    graph: GraphSettings;
    mail?: Pick<Config['mail'], 'lookBackDays'>;
    keyVaultUrl?: string;
    storage?: Pick<Config['storage'], 'managedIdentityClientId'>;
  },
  options: GraphConnectorOptions = {},
): GraphConnector {
  const tokenProvider = new ClientCredentialsTokenProvider(
    {
      ...config.graph,
      scope: graphScopeFor(config.graph.baseUrl),
      keyVaultUrl: config.keyVaultUrl,
      managedIdentityClientId: config.storage?.managedIdentityClientId,
    },
    { ...options.tokens, clock: options.clock, logger: options.logger },
  );
  const client = createGraphSdkClient({ baseUrl: config.graph.baseUrl, authProvider: tokenProvider });
  const api = new GraphApi(client, { ...options, tokenProvider });
  const transfer = new MailTransfer({
    client,
    limiter: api.limiter,
    retryPolicy: options.retryPolicy,
    retryHooks: options.retryHooks,
  });
  const mailAdapter = (kind: 'mail' | 'sentmail', folder: string) =>
    new OutlookMailAdapter({
      api,
      transfer,
      clock: options.clock,
      // MAIL_LOOKBACK_DAYS when the caller passes the mail settings; 30 days otherwise.
      lookBackDays: config.mail?.lookBackDays,
      logger: options.logger,
      kind,
      createFolder: folder,
    });
  return {
    tokenProvider,
    api,
    subscriptions: new GraphSubscriptionsApi(api),
    users: new GraphUsersApi(api),
    calendar: new OutlookCalendarAdapter({
      api,
      clock: options.clock,
      pastDays: config.sync.calendarWindowPastDays,
      futureDays: config.sync.calendarWindowFutureDays,
      defaultTimeZone: options.defaultTimeZone,
      logger: options.logger,
    }),
    mail: mailAdapter('mail', 'inbox'),
    sentMail: mailAdapter('sentmail', 'sentitems'),
    contacts: new OutlookContactAdapter({
      api,
      isLabel: options.isContactLabel,
      clock: options.clock,
      logger: options.logger,
    }),
    todo: new OutlookTodoAdapter({ api, timeZone: options.todoTimeZone }),
  };
}

export { GraphApi } from './http-client';
export { OutlookCalendarAdapter, OUTLOOK_CALENDAR_FOLDER } from './calendar-adapter';
export {
  OutlookContactAdapter,
  OUTLOOK_CONTACT_FOLDER,
  type IsContactLabel,
  type OutlookContactAdapterOptions,
} from './contact-adapter';
export { OutlookContactFolders, OUTLOOK_CONTACT_FOLDER_NAME } from './contact-folder';
export {
  OutlookMailAdapter,
  OUTLOOK_MAIL_FOLDER,
  type MailImportIssue,
  type MailImportReport,
  type MailImportIssueListener,
} from './mail-adapter';
export { GraphSubscriptionsApi, expiryFor, maxLifetimeMinutes } from './subscriptions-api';
export { GraphUsersApi, emailAddressesOf, type DirectoryUser } from './directory';
export { ClientCredentialsTokenProvider, type ClientCredentials } from './token-provider';
export { MailboxLimiter } from './mailbox-limiter';
export { OutlookTodoAdapter, OUTLOOK_TODO_FOLDER, type OutlookTodoAdapterOptions } from './todo-adapter';
export { OutlookTodoLists, DINGTALK_TODO_LIST_NAME } from './todo-list';
