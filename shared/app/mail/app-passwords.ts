import type { ImapCredentials, MailboxLogin } from '../../connectors/imap/credentials';
import { systemClock, type Clock } from '../../platform/clock';
import type { AppPasswordVault } from './app-password-vault';
import { normalizeMailbox } from './mailbox-address';

/**
 * ImapCredentials over Key Vault, with an in-process cache: a hit costs nothing, a miss is one Key Vault GET.
 *
 * Why 10 minutes. Key Vault allows 4,000 secret transactions per 10 seconds per vault per region (Azure Key Vault
 * service limits, "Secrets, managed storage account keys, and vault transactions"; the subscription-wide ceiling is
 * five times that). 10,000 mailboxes polled every minute read each password at most once per TTL per instance:
 * 10,000 GETs per ~10 minutes = ~17 per second = ~170 per 10 seconds, about 4% of the limit per instance. The one
 * burst is a cold instance polling every mailbox within its first minute: 10,000 GETs in 60 s = ~1,700 per
 * 10 seconds, still under half. Each entry lives a random 80–100% of the TTL, so the entries a cold start loaded
 * together do not all expire in the same minute afterwards. A throttled GET (429) is retried by the SDK after the
 * service's Retry-After; a failed read is not cached.
 *
 * Freshness. A new app password (a new secret version) reaches every instance within one TTL; that is also how the
 * rejected-login guard learns that a stopped mailbox has a new secret. A mailbox without a password is cached as a
 * miss for the same TTL, so 10,000 unprovisioned mailboxes cost no more than provisioned ones.
 */
export const APP_PASSWORD_CACHE_TTL_MS = 10 * 60_000;
/** Above the largest organisation the app is sized for, so the cache never evicts in normal use. */
const MAX_CACHED_MAILBOXES = 50_000;

interface Entry {
  login: MailboxLogin | undefined;
  until: number;
}

export interface KeyVaultImapCredentialsOptions {
  vault: AppPasswordVault;
  clock?: Clock;
  ttlMs?: number;
  /** Where the jitter comes from; tests pass a constant. */
  random?: () => number;
}

export class KeyVaultImapCredentials implements ImapCredentials {
  private readonly entries = new Map<string, Entry>();
  /** Reads under way: concurrent polls of one mailbox share one GET. */
  private readonly loading = new Map<string, Promise<MailboxLogin | undefined>>();
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly random: () => number;

  constructor(private readonly options: KeyVaultImapCredentialsOptions) {
    this.clock = options.clock ?? systemClock;
    this.ttlMs = options.ttlMs ?? APP_PASSWORD_CACHE_TTL_MS;
    this.random = options.random ?? Math.random;
  }

  async loginFor(email: string): Promise<MailboxLogin | undefined> {
    const address = normalizeMailbox(email);
    const hit = this.entries.get(address);
    if (hit && hit.until > this.clock.now()) return hit.login;
    let pending = this.loading.get(address);
    if (!pending) {
      pending = this.load(address).finally(() => this.loading.delete(address));
      this.loading.set(address, pending);
    }
    return pending;
  }

  /** Drops one mailbox's cached login, so the next loginFor reads Key Vault (after an admin reset, say). */
  forget(email: string): void {
    this.entries.delete(normalizeMailbox(email));
  }

  private async load(address: string): Promise<MailboxLogin | undefined> {
    const stored = await this.options.vault.read(address);
    const login = stored && { user: address, password: stored.password, version: stored.version };
    if (this.entries.size >= MAX_CACHED_MAILBOXES && !this.entries.has(address)) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    const life = this.ttlMs * (0.8 + 0.2 * this.random());
    this.entries.set(address, { login, until: this.clock.now() + life });
    return login;
  }
}
