import { createGraphConnector } from '../../connectors/graph';
import type { Config } from '../../platform/config';
import type { Logger } from '../../platform/logger';
import type { Stores } from '../../store';
import type { UserPair } from '../../store/types';
import { NotFoundRemoteError, PermanentRemoteError } from '../../sync/types';
import {
  appPasswordVaultAccess,
  createAppPasswordVault,
  type AppPasswordVault,
} from '../mail/app-password-vault';
import { checkExchangeMailboxes, type MailboxProbe } from './exchange-mailbox';
import { checkGraphPermissions } from './graph-permissions';
import { checkKeyVault } from './key-vault';
import { checkMailAppPasswords } from './mail-app-passwords';
import { checkPublicUrl } from './public-url';
import { checkStorage } from './storage';
import { reasonOf, type PreflightResult } from './types';

export type { PreflightResult } from './types';

/** What the checks read; the app's own clients in a deployment, fakes in tests. */
export interface PreflightDeps {
  config: Pick<Config, 'mode' | 'kinds' | 'publicBaseUrl' | 'keyVaultUrl'>;
  getAccessToken: () => Promise<string>;
  readPairs: () => Promise<UserPair[]>;
  /** Undefined without KEY_VAULT_URL. */
  vault?: Pick<AppPasswordVault, 'list'>;
  /** Undefined where Graph cannot answer mailboxSettings (the sandbox). */
  probeMailbox?: (entraId: string) => Promise<MailboxProbe>;
}

/** Every check, in the order an admin fixes things: reachability first, then what depends on it. */
export async function runPreflight(deps: PreflightDeps): Promise<PreflightResult[]> {
  const { config } = deps;
  const pairsRead = deps.readPairs();
  // The storage check reports a failed read; the checks after it then work on no pairs rather than fail again.
  pairsRead.catch(() => undefined);
  const pairs = () => pairsRead.catch((): UserPair[] => []);
  const checks: Array<[string, string, () => Promise<PreflightResult> | PreflightResult]> = [
    ['public-url', 'Public URL is https', () => checkPublicUrl(config)],
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
        checkExchangeMailboxes({ mode: config.mode, pairs: await pairs(), probe: deps.probeMailbox }),
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
  const results: PreflightResult[] = [];
  for (const [id, title, check] of checks) {
    try {
      results.push(await check());
    } catch (err) {
      // A check is written not to throw; if one does, the preflight still reports every other check.
      results.push({ id, ok: false, title, detail: `the check itself failed: ${reasonOf(err)}`, fix: '' });
    }
  }
  return results;
}

/** A failed check fails the preflight; warnings and skipped checks do not. */
export function preflightPassed(results: readonly PreflightResult[]): boolean {
  return results.every((r) => r.ok !== false);
}

/** The deployment's own clients: the app's Graph token provider, its stores, and its vault. */
export function createPreflightDeps(
  config: Config,
  stores: Pick<Stores, 'users'>,
  log?: Logger,
): PreflightDeps {
  const graph = createGraphConnector(config, { logger: log });
  const vault = config.keyVaultUrl
    ? createAppPasswordVault(
        appPasswordVaultAccess(config.keyVaultUrl, config.mode, config.storage.managedIdentityClientId),
      )
    : undefined;
  return {
    config,
    getAccessToken: () => graph.tokenProvider.getAccessToken(),
    readPairs: () => stores.users.list(),
    vault,
    probeMailbox:
      config.mode === 'live'
        ? async (entraId) => {
            try {
              await graph.api.get(`/users/${encodeURIComponent(entraId)}/mailboxSettings`, {
                what: 'read mailbox settings',
              });
              return 'mailbox';
            } catch (err) {
              if (isNoMailbox(err)) return 'no-mailbox';
              throw err;
            }
          }
        : undefined,
  };
}

/** Graph's answers for a user without an Exchange Online mailbox: 404, or MailboxNotEnabledForRESTAPI. */
export function isNoMailbox(err: unknown): boolean {
  if (err instanceof NotFoundRemoteError) return true;
  if (err instanceof PermanentRemoteError) {
    return (
      err.remoteCode === 'MailboxNotEnabledForRESTAPI' || /MailboxNotEnabledForRESTAPI/.test(err.message)
    );
  }
  return false;
}
