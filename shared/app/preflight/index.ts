import { createDingTalkConnectors } from '../../connectors/dingtalk';
import { createGraphConnector } from '../../connectors/graph';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import type { Stores } from '../../store';
import type { UserPair } from '../../store/types';
import type { AppContext } from '../context';
import {
  appPasswordVaultAccess,
  createAppPasswordVault,
  type AppPasswordVault,
} from '../mail/app-password-vault';
import { checkDingTalkCallback, type CallbackSecrets } from './dingtalk-callback';
import { checkDingTalkCallbackDeliveries, type FailedCallback } from './dingtalk-callback-failures';
import { dingtalkScopeProbe } from './dingtalk-probes';
import { checkDingTalkScopes, type ProbeArea, type ScopeProbeOutcome } from './dingtalk-scopes';
import { checkExchangeMailboxes } from './exchange-mailbox';
import { checkGraphPermissions } from './graph-permissions';
import { reconcileExchangeRbac } from './exchange-rbac';
import { checkGraphValidation } from './graph-validation';
import { checkKeyVault } from './key-vault';
import { checkMailAppPasswords } from './mail-app-passwords';
import { graphMailboxBatchProbe, type ProbeMailboxBatch } from './mailbox-batch';
import { checkPublicUrl } from './public-url';
import { checkStorage } from './storage';
import { reasonOf, skippedResult, type PreflightResult } from './types';

export type { PreflightResult } from './types';

/** What the checks read; the app's own clients in a deployment, fakes in tests. Every field but four is optional. */
export interface PreflightDeps {
  config: Pick<Config, 'mode' | 'kinds' | 'publicBaseUrl' | 'keyVaultUrl'>;
  getAccessToken: () => Promise<string>;
  readPairs: () => Promise<UserPair[]>;
  /** Undefined without KEY_VAULT_URL. */
  vault?: Pick<AppPasswordVault, 'list'>;
  /** Up to 20 mailboxes per call (Graph JSON batching); the Exchange Online check is skipped without it. */
  probeMailboxes?: ProbeMailboxBatch;
  /** One read per DingTalk permission area; the DingTalk permission check is skipped without it. */
  probeDingTalkScope?: (area: ProbeArea) => Promise<ScopeProbeOutcome>;
  /** DingTalk's failed deliveries between two times (ms); the deliveries check is skipped without it. */
  readFailedCallbacks?: (beginMs: number, endMs: number) => Promise<FailedCallback[]>;
  /** The callback token, aes_key and AppKey: check_url is not sent without them. Never shown or logged. */
  dingtalkCallback?: CallbackSecrets;
  /** What sends the check_url and Graph validation requests to PUBLIC_BASE_URL; those checks are skipped without it. */
  fetch?: typeof fetch;
  /** How long the Exchange Online check may run (default 60 s). */
  mailboxCheckMs?: number;
  now?: () => number;
}

type Check = [id: string, title: string, run: () => Promise<PreflightResult> | PreflightResult];

/**
 * Every check, listed in the order an admin fixes things: reachability first, then what depends on it. check_url
 * runs alone first, so that its time is not inflated by the preflight's own load; the others then run together.
 */
export async function runPreflight(deps: PreflightDeps): Promise<PreflightResult[]> {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const pairsRead = deps.readPairs();
  // The storage check reports a failed read; the checks after it then work on no pairs rather than fail again.
  pairsRead.catch(() => undefined);
  const pairs = () => pairsRead.catch((): UserPair[] => []);
  const callback: Check = [
    'dingtalk-callback',
    'DingTalk callback answers check_url',
    () =>
      deps.dingtalkCallback && deps.fetch
        ? checkDingTalkCallback({
            publicBaseUrl: config.publicBaseUrl,
            secrets: deps.dingtalkCallback,
            fetch: deps.fetch,
            now,
          })
        : skippedResult(
            'dingtalk-callback',
            'DingTalk callback answers check_url',
            deps.fetch ? 'no callback token configured' : 'no requests to the public URL from here',
          ),
  ];
  const checks: Check[] = [
    ['public-url', 'Public URL is https', () => checkPublicUrl(config)],
    [
      'graph-validation',
      "Public URL answers Graph's validation",
      () =>
        deps.fetch
          ? checkGraphValidation({ publicBaseUrl: config.publicBaseUrl, fetch: deps.fetch })
          : skippedResult(
              'graph-validation',
              "Public URL answers Graph's validation",
              'no requests to the public URL from here',
            ),
    ],
    ['storage', 'Storage account reachable', () => checkStorage({ readPairs: () => pairsRead })],
    [
      'key-vault',
      'Key Vault reachable',
      () => checkKeyVault({ keyVaultUrl: config.keyVaultUrl, vault: deps.vault }),
    ],
    [
      'graph-permissions',
      'Microsoft Graph application permissions',
      () =>
        checkGraphPermissions({
          kinds: config.kinds,
          publicBaseUrl: config.publicBaseUrl,
          getAccessToken: deps.getAccessToken,
        }),
    ],
    [
      'exchange-mailbox',
      'Exchange Online mailboxes',
      async () =>
        checkExchangeMailboxes({
          pairs: await pairs(),
          probeBatch: deps.probeMailboxes,
          deadlineMs: deps.mailboxCheckMs,
          now,
        }),
    ],
    [
      'dingtalk-scopes',
      'DingTalk app permissions',
      () => checkDingTalkScopes({ kinds: config.kinds, probe: deps.probeDingTalkScope }),
    ],
    callback,
    [
      'dingtalk-callback-deliveries',
      'DingTalk callback deliveries (last 7 days)',
      () =>
        checkDingTalkCallbackDeliveries({
          publicBaseUrl: config.publicBaseUrl,
          read: deps.readFailedCallbacks,
          now,
        }),
    ],
    [
      'mail-app-passwords',
      'Mail app passwords',
      async () =>
        checkMailAppPasswords({
          kinds: config.kinds,
          keyVaultUrl: config.keyVaultUrl,
          pairs: await pairs(),
          vault: deps.vault,
        }),
    ],
  ];
  const first = await settle(callback);
  return reconcileExchangeRbac(
    await Promise.all(checks.map((check) => (check === callback ? first : settle(check)))),
  );
}

/** A check is written not to throw; if one does, the preflight still reports every other check. */
async function settle([id, title, run]: Check): Promise<PreflightResult> {
  try {
    return await run();
  } catch (err) {
    return { id, ok: false, title, detail: `the check itself failed: ${reasonOf(err)}`, fix: '' };
  }
}

/** A failed check fails the preflight; warnings and skipped checks do not. */
export function preflightPassed(results: readonly PreflightResult[]): boolean {
  return results.every((r) => r.ok !== false);
}

/** How long the Exchange Online check may take when the preflight runs inside a page, and from the command line. */
export const MAILBOX_CHECK_MS = { page: 15_000, command: 300_000 };

/**
 * The deployment's own clients: the app's Graph token provider and client, its DingTalk client (whose metered
 * calls count in the month's shared budget), its stores and its vault. The status page and the consent callback
 * call this with the process's app context; `npm run preflight` with a context of its own.
 */
export function preflightDepsFor(
  app: Pick<AppContext, 'config' | 'stores' | 'log'> & Partial<Pick<AppContext, 'clock'>>,
  options: { mailboxCheckMs?: number; fetch?: typeof fetch } = {},
): PreflightDeps {
  return createPreflightDeps(app.config, app.stores, app.log, {
    ...options,
    now: app.clock ? () => app.clock!.now() : undefined,
  });
}

export function createPreflightDeps(
  config: Config,
  stores: Pick<Stores, 'users'> & Partial<Pick<Stores, 'dingtalkCalls'>>,
  log?: Logger,
  options: { mailboxCheckMs?: number; fetch?: typeof fetch; now?: () => number } = {},
): PreflightDeps {
  const graph = createGraphConnector(config, { logger: log });
  const dingtalk = createDingTalkConnectors(config.dingtalk, {
    counterStore: stores.dingtalkCalls,
    logger: log,
  });
  const vault = config.keyVaultUrl
    ? createAppPasswordVault(
        appPasswordVaultAccess(config.keyVaultUrl, config.mode, config.storage.managedIdentityClientId),
      )
    : undefined;
  const readPairs = () => stores.users.list();
  return {
    config,
    getAccessToken: () => graph.tokenProvider.getAccessToken(),
    readPairs,
    vault,
    probeMailboxes: graphMailboxBatchProbe(graph.api),
    probeDingTalkScope: dingtalkScopeProbe(dingtalk.client, readPairs),
    readFailedCallbacks: async (beginTime, endTime) =>
      (
        await dingtalk.client.v1<{ failedList?: FailedCallback[] }>({
          method: 'GET',
          path: '/v1.0/event/callbacks/failedResults',
          query: { beginTime, endTime },
        })
      )?.failedList ?? [],
    dingtalkCallback: config.dingtalk.callbackToken
      ? {
          token: config.dingtalk.callbackToken,
          aesKey: config.dingtalk.callbackAesKey,
          ownerKey: config.dingtalk.appKey,
        }
      : undefined,
    fetch: options.fetch ?? fetch,
    mailboxCheckMs: options.mailboxCheckMs,
    now: options.now,
  };
}
