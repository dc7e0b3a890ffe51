import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type * as Msal from '@azure/msal-node';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { systemClock, type Clock } from '../../platform/clock';
import type { GraphCredential } from '../../platform/config';
import { registerSecret, type Logger } from '../../platform/logger';
import { managedIdentityCredential } from '../../platform/managed-identity';
import { SecretProvider, type KeyVaultAccess } from '../../platform/secrets';
import { PermanentRemoteError, TransientRemoteError } from '../../sync/types';
import { parseRetryAfter } from './errors';

/** msal-node's warning when a token response has no client_info, which app-only responses never have. */
const NO_CLIENT_INFO = 'No client info in response';
/**
 * App-only access tokens for Graph from @azure/msal-node's ConfidentialClientApplication (client credentials), in
 * one of three ways of proving the app's identity:
 *
 * - managed-identity: no secret at all. The function app's user-assigned managed identity is a federated identity
 *   credential of the app registration; its token for api://AzureADTokenExchange is the client assertion
 *   ("Configure an application to trust a managed identity", learn.microsoft.com/entra/workload-id/
 *   workload-identity-federation-config-app-trust-managed-identity).
 * - certificate: a Key Vault certificate (content type PEM), read as a secret for its private key; msal signs the
 *   assertion (PS256, x5t#S256).
 * - secret: a client secret.
 *
 * Tokens live in msal's own cache. Concurrent callers share one acquisition, and tokens, assertions, secrets and
 * keys are registered with the logger's secret registry; msal's own log lines reach the app logger at warning level
 * and above only, never those msal marks as containing personal data.
 */

export interface ClientCredentials {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  /** Default: "secret" when clientSecret is given, else "managed-identity" (the GRAPH_CREDENTIAL rule). */
  credential?: GraphCredential;
  clientSecret?: string;
  /** Name of the Key Vault certificate, for "certificate". */
  certificateName?: string;
  /** The vault holding it (KEY_VAULT_URL). */
  keyVaultUrl?: string;
  /** Client id of the user-assigned managed identity (AZURE_CLIENT_ID). */
  managedIdentityClientId?: string;
  /** Defaults to "<Graph resource>/.default" for the Graph base URL given, else the global cloud. */
  scope?: string;
}

export interface TokenProviderOptions {
  /** The app's clock; moving it past a token's renewal time makes the next call fetch a new token. */
  clock?: Clock;
  /** What msal's requests to the identity platform go through (discovery and token requests). */
  fetch?: typeof fetch;
  timeoutMs?: number;
  logger?: Logger;
  /** The managed identity: the assertion for "managed-identity", and the Key Vault login for "certificate". */
  managedIdentity?: TokenCredential;
  /** Where "certificate" reads the certificate; default: keyVaultUrl with the managed identity. */
  keyVault?: KeyVaultAccess;
}

export { graphScopeFor } from './graph-scope';

/**
 * Entra's sign-in hosts, for which msal carries the endpoints itself (msal-common's AuthorityMetadata). Any other
 * authority (the sandbox's fake) is declared a known authority, so that msal reads its OpenID configuration from
 * the authority itself instead of asking login.microsoftonline.com's instance discovery about it.
 */
const ENTRA_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login-us.microsoftonline.com',
  'login.partner.microsoftonline.cn',
  'login.chinacloudapi.cn',
]);

/**
 * The audience of the managed identity's token, per cloud: the federated credential on the app registration must
 * name the same one ("Configure an application to trust a managed identity": public cloud api://AzureADTokenExchange,
 * Azure US Government api://AzureADTokenExchangeUSGov, Azure operated by 21Vianet api://AzureADTokenExchangeChina).
 */
export function tokenExchangeAudience(authorityHost: string): string {
  const host = new URL(authorityHost).hostname;
  if (
    ['login.microsoftonline.us', 'login.usgovcloudapi.net', 'login-us.microsoftonline.com'].includes(host)
  ) {
    return 'api://AzureADTokenExchangeUSGov';
  }
  if (host === 'login.partner.microsoftonline.cn' || host === 'login.chinacloudapi.cn') {
    return 'api://AzureADTokenExchangeChina';
  }
  return 'api://AzureADTokenExchange';
}

export function credentialModeOf(credentials: Pick<ClientCredentials, 'credential' | 'clientSecret'>) {
  return credentials.credential ?? (credentials.clientSecret ? 'secret' : 'managed-identity');
}

/** Renew this long before expiry by the app's clock: msal's own margin (tokenRenewalOffsetSeconds, 300 s). */
const RENEW_BEFORE_MS = 5 * 60_000;
/** How long msal refuses to ask again after a 429/5xx without Retry-After (msal-common DEFAULT_THROTTLE_TIME_SECONDS). */
const MSAL_THROTTLE_MS = 60_000;

function msal(): typeof Msal {
  // Required on the first token request, as shared/platform/lazy-sdks.ts does for the other SDKs: loading the function
  // app should not pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@azure/msal-node') as typeof Msal;
}

/** What the last answer of the identity platform said, in words that hold no credential. */
interface Exchange {
  status?: number;
  retryAfterMs?: number;
  error?: string;
  description?: string;
  unreachable?: string;
}

/** msal's HTTP client, on fetch: a timeout per request, and the failures kept for the error the caller sees. */
class FetchNetwork implements Msal.INetworkModule {
  last: Exchange = {};

  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly timeoutMs: number,
    private readonly onTokenRequest: () => void,
  ) {}

  sendGetRequestAsync<T>(
    url: string,
    options?: Msal.NetworkRequestOptions,
  ): Promise<Msal.NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }

  sendPostRequestAsync<T>(
    url: string,
    options?: Msal.NetworkRequestOptions,
  ): Promise<Msal.NetworkResponse<T>> {
    this.onTokenRequest();
    return this.send<T>('POST', url, options);
  }

  private async send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: Msal.NetworkRequestOptions | undefined,
  ): Promise<Msal.NetworkResponse<T>> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: options?.headers,
        body: method === 'POST' ? (options?.body ?? '') : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message;
      this.last = {
        unreachable: `${new URL(url).origin}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`,
      };
      throw err;
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      this.last = {
        status: response.status,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
        error: typeof body.error === 'string' ? body.error : undefined,
        description: typeof body.error_description === 'string' ? body.error_description : undefined,
      };
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return { headers, body: body as T, status: response.status };
  }
}

export class ClientCredentialsTokenProvider implements AuthenticationProvider {
  readonly mode: GraphCredential;
  /** How many times the token endpoint was called; tests read it. */
  requestCount = 0;
  private readonly clock: Clock;
  private readonly scope: string;
  private readonly network: FetchNetwork;
  private readonly managedIdentity: TokenCredential;
  private app: Promise<Msal.ConfidentialClientApplication> | undefined;
  private inFlight: Promise<string> | undefined;
  /** The token held: msal is not asked again before askMsalAt, and is told to skip its cache from renewAt. */
  private current: { value: string; renewAt: number; askMsalAt: number } | undefined;
  private refresh = false;
  /** Until when msal itself refuses token requests after a 429/5xx (its throttling cache). */
  private pausedUntil = 0;

  constructor(
    private readonly credentials: ClientCredentials,
    private readonly options: TokenProviderOptions = {},
  ) {
    this.mode = credentialModeOf(credentials);
    const missing = missingFor(this.mode, credentials, options);
    if (missing) throw new Error(missing);
    this.clock = options.clock ?? systemClock;
    this.scope = credentials.scope ?? 'https://graph.microsoft.com/.default';
    this.network = new FetchNetwork(options.fetch ?? fetch, options.timeoutMs ?? 30_000, () => {
      this.requestCount++;
    });
    this.managedIdentity =
      options.managedIdentity ?? managedIdentityCredential(credentials.managedIdentityClientId);
    registerSecret(credentials.clientSecret);
  }

  getAccessToken(): Promise<string> {
    // Until its renewal time, the token we hold is the one msal's cache would return: asking msal for it on every
    // Graph request cost about 0.5 ms of CPU each (its cache lookup), a tenth of the app's CPU in a burst.
    const current = this.current;
    if (current && !this.refresh && this.clock.now() < current.askMsalAt)
      return Promise.resolve(current.value);
    this.inFlight ??= this.acquire().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forget the cached token, e.g. after Graph answered 401 InvalidAuthenticationToken. */
  invalidate(token?: string): void {
    if (!token || this.current?.value === token) this.refresh = true;
  }

  private async acquire(): Promise<string> {
    this.network.last = {};
    const app = await (this.app ??= this.build().catch((err) => {
      this.app = undefined;
      throw this.describe(err);
    }));
    const skipCache =
      this.refresh || (this.current !== undefined && this.clock.now() >= this.current.renewAt);
    let result: Msal.AuthenticationResult | null;
    try {
      result = await app.acquireTokenByClientCredential({ scopes: [this.scope], skipCache });
    } catch (err) {
      const failure = this.describe(err);
      // A refused certificate may have been renewed in Key Vault since it was read: read it again next time.
      if (failure instanceof PermanentRemoteError && this.mode === 'certificate') this.app = undefined;
      throw failure;
    }
    if (!result?.accessToken)
      throw new PermanentRemoteError('token request answered without an access token');
    registerSecret(result.accessToken);
    this.refresh = false;
    if (result.accessToken !== this.current?.value) {
      // msal keeps time by the system clock, the sandbox by its own: renewal follows the app's clock as well.
      const lifetimeMs = result.expiresOn ? Math.max(0, result.expiresOn.getTime() - Date.now()) : 3599_000;
      const renewAt = this.clock.now() + lifetimeMs - Math.min(RENEW_BEFORE_MS, lifetimeMs / 2);
      // A token with refresh_in: from then on msal is asked again, and refreshes it in the background.
      const refreshAt = result.refreshOn
        ? this.clock.now() + Math.max(0, result.refreshOn.getTime() - Date.now())
        : renewAt;
      this.current = { value: result.accessToken, renewAt, askMsalAt: Math.min(renewAt, refreshAt) };
    }
    return result.accessToken;
  }

  private async build(): Promise<Msal.ConfidentialClientApplication> {
    const { ConfidentialClientApplication, LogLevel } = msal();
    const authorityUrl = new URL(this.credentials.authorityHost);
    const logger = this.options.logger;
    return new ConfidentialClientApplication({
      auth: {
        clientId: this.credentials.clientId,
        authority: `${authorityUrl.origin}/${encodeURIComponent(this.credentials.tenantId)}`,
        knownAuthorities: ENTRA_HOSTS.has(authorityUrl.hostname) ? [] : [authorityUrl.host],
        ...(await this.credential()),
      },
      system: {
        networkClient: this.network,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (level, message, containsPii) => {
            if (containsPii || !logger) return;
            if (level === LogLevel.Error) logger.error('msal', { detail: message });
            // msal-node says this of every app-only token (no account, so no client_info); not worth a warning.
            else if (message.includes(NO_CLIENT_INFO)) logger.debug('msal', { detail: message });
            else logger.warn('msal', { detail: message });
          },
        },
      },
    });
  }

  private async credential(): Promise<Partial<Msal.NodeAuthOptions>> {
    if (this.mode === 'secret') return { clientSecret: this.credentials.clientSecret };
    if (this.mode === 'certificate') return { clientCertificate: await this.certificate() };
    const audience = tokenExchangeAudience(this.credentials.authorityHost);
    return {
      clientAssertion: async () => {
        let token: string | undefined;
        try {
          token = (await this.managedIdentity.getToken(`${audience}/.default`))?.token;
        } catch (err) {
          throw managedIdentityFailure(err, audience);
        }
        if (!token) throw managedIdentityFailure(new Error('no token returned'), audience);
        registerSecret(token);
        return token;
      },
    };
  }

  private async certificate(): Promise<{ thumbprintSha256: string; privateKey: string; x5c: string }> {
    const name = this.credentials.certificateName!;
    const keyVault = this.options.keyVault ?? {
      url: this.credentials.keyVaultUrl!,
      credential: this.managedIdentity,
    };
    let pem: string | undefined;
    try {
      pem = await new SecretProvider({ settings: {}, keyVault }).getRuntime(name);
    } catch (err) {
      throw new TransientRemoteError(
        `could not read the certificate "${name}" from Key Vault ${keyVault.url}: ${(err as Error).message}. ` +
          `The app's identity needs the "Key Vault Secrets User" role on the vault (a certificate's private key is ` +
          'read as a secret).',
      );
    }
    if (pem === undefined) {
      throw new PermanentRemoteError(
        `the certificate "${name}" (GRAPH_CERTIFICATE_NAME) does not exist in Key Vault ${keyVault.url}: create or ` +
          'import it there, with content type PEM, and upload its public part to the app registration.',
      );
    }
    return clientCertificateFrom(pem, name, this.clock.now());
  }

  private describe(err: unknown): Error {
    if (err instanceof PermanentRemoteError || err instanceof TransientRemoteError) return err;
    const seen = this.network.last;
    if (seen.unreachable)
      return new TransientRemoteError(`identity platform unreachable: ${seen.unreachable}`);
    const e = err as { name?: string; errorCode?: string; errorMessage?: string; status?: number };
    const code = seen.error ?? e.errorCode;
    const why = `${code ?? seen.status ?? e.status}: ${firstLine(seen.description ?? descriptionIn(e.errorMessage))}`;
    const status = seen.status ?? e.status;
    if (status === 429 || (status !== undefined && status >= 500)) {
      this.pausedUntil = Date.now() + Math.min(seen.retryAfterMs ?? MSAL_THROTTLE_MS, 3600_000);
      return new TransientRemoteError(`token request failed (${why})`, seen.retryAfterMs, status);
    }
    if (e.name === 'ServerError' && status === undefined && Date.now() < this.pausedUntil) {
      return new TransientRemoteError(
        'token requests paused: the identity platform asked to wait after a failure',
        this.pausedUntil - Date.now(),
      );
    }
    if (e.name === 'ServerError' || e.name === 'InteractionRequiredAuthError') {
      return new PermanentRemoteError(`token request refused (${why})`, code, status);
    }
    // msal's own checks (configuration, discovery): say what msal said, without its stack.
    return new PermanentRemoteError(
      `token request not sent (${e.errorCode ?? e.name ?? 'error'}: ${firstLine(e.errorMessage ?? String(err))})`,
      e.errorCode,
    );
  }
}

function missingFor(
  mode: GraphCredential,
  c: ClientCredentials,
  o: TokenProviderOptions,
): string | undefined {
  if (mode === 'secret' && !c.clientSecret) return 'Graph credential "secret" needs the client secret';
  if (mode === 'certificate' && (!c.certificateName || !(c.keyVaultUrl || o.keyVault))) {
    return 'Graph credential "certificate" needs the Key Vault certificate name and the vault';
  }
  return undefined;
}

function managedIdentityFailure(err: unknown, audience: string): Error {
  const message =
    `the managed identity gave no token for ${audience} (${(err as Error).message}): the app must run in Azure with ` +
    'its user-assigned identity, AZURE_CLIENT_ID naming that identity';
  // @azure/identity says CredentialUnavailableError when there is no such identity here: waiting will not help.
  return (err as Error).name === 'CredentialUnavailableError'
    ? new PermanentRemoteError(message, 'managed_identity_unavailable')
    : new TransientRemoteError(message);
}

/**
 * The private key and the certificate matching it, from Key Vault's PEM form of a certificate (the secret of a
 * certificate created with content type application/x-pem-file holds both: learn.microsoft.com/azure/key-vault/
 * certificates/about-certificates, "Exportable or Non-exportable key").
 */
export function clientCertificateFrom(
  pem: string,
  name: string,
  nowMs = Date.now(),
): { thumbprintSha256: string; privateKey: string; x5c: string } {
  const fix =
    'create or import it in Key Vault with content type PEM (application/x-pem-file) and an exportable RSA key';
  const keyBlock = /-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END \1?PRIVATE KEY-----/.exec(
    pem,
  );
  const certBlocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!keyBlock || certBlocks.length === 0) {
    throw new PermanentRemoteError(
      `the Key Vault secret of certificate "${name}" is not a PEM certificate with its private key (a PKCS#12 one ` +
        `is not read): ${fix}`,
    );
  }
  if (keyBlock[1] === 'ENCRYPTED ') {
    throw new PermanentRemoteError(`the private key of certificate "${name}" is encrypted: ${fix}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlock[0]);
  } catch (err) {
    throw new PermanentRemoteError(
      `the private key of certificate "${name}" cannot be read (${(err as Error).message})`,
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new PermanentRemoteError(
      `certificate "${name}" has a ${key.asymmetricKeyType} key; Entra takes RSA certificates for client assertions: ${fix}`,
    );
  }
  const leaf = certBlocks.map((c) => new X509Certificate(c)).find((c) => c.checkPrivateKey(key));
  if (!leaf) {
    throw new PermanentRemoteError(`none of the certificates in "${name}" matches its private key: ${fix}`);
  }
  if (Date.parse(leaf.validTo) <= nowMs) {
    throw new PermanentRemoteError(
      `certificate "${name}" expired on ${new Date(leaf.validTo).toISOString()}: renew it in Key Vault and upload ` +
        'the new one to the app registration',
    );
  }
  const privateKey = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  registerSecret(privateKey);
  return {
    thumbprintSha256: leaf.fingerprint256.replace(/:/g, '').toLowerCase(),
    privateKey,
    x5c: leaf.toString(),
  };
}

/** msal's ServerError text: "Error(s): … - Timestamp: … - Description: <AADSTS…> - Correlation ID: …". */
function descriptionIn(errorMessage: string | undefined): string | undefined {
  const match = /Description: ([\s\S]*?)(?: - Correlation ID:|$)/.exec(errorMessage ?? '');
  return match ? match[1] : errorMessage;
}

/** AADSTS descriptions carry trace ids and timestamps on later lines; the first line says what is wrong. */
function firstLine(text: string | undefined): string {
  return (text ?? '').split(/\r?\n/)[0];
}
