import { ConfigError, loadConfig, SANDBOX_DEFAULTS, SETTINGS } from '../../../shared/platform/config';

/** A complete, valid live environment; each test breaks one thing. */
const LIVE = {
  SYNC_MODE: 'live',
  AzureWebJobsStorage__accountName: 'syncstate01',
  AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
  PUBLIC_BASE_URL: 'https://sync-fn.azurewebsites.net/',
  GRAPH_TENANT_ID: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  GRAPH_CLIENT_ID: 'cccccccc-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  GRAPH_CLIENT_SECRET: 'graph-client-secret-value',
  DINGTALK_APP_KEY: 'dingappkey',
  DINGTALK_APP_SECRET: 'dingtalk-app-secret-value',
  DINGTALK_CORP_ID: 'dingcorp',
  DINGTALK_CALLBACK_TOKEN: 'callback-token-value',
  DINGTALK_CALLBACK_AES_KEY: 'a'.repeat(43),
  KEY_VAULT_URL: 'https://kv-sync.vault.azure.net',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('sandbox mode works with no environment at all', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('sandbox');
    expect(config.storage.connectionString).toBe(SANDBOX_DEFAULTS.AzureWebJobsStorage);
    expect(config.graph.baseUrl).toBe(SANDBOX_DEFAULTS.GRAPH_BASE_URL);
    expect(config.sync).toMatchObject({
      conflictPolicy: 'newest-wins',
      bulkDeleteMaxShare: 0.2,
      dryRun: false,
    });
    expect(config.secretValues).toContain(SANDBOX_DEFAULTS.GRAPH_CLIENT_SECRET);
  });

  test('a valid live environment loads, with managed-identity storage and trimmed URLs', () => {
    const config = loadConfig(LIVE);
    expect(config.mode).toBe('live');
    expect(config.storage).toEqual({
      connectionString: undefined,
      accountName: 'syncstate01',
      managedIdentityClientId: LIVE.AZURE_CLIENT_ID,
    });
    expect(config.publicBaseUrl).toBe('https://sync-fn.azurewebsites.net');
    expect(config.secretValues).toEqual(
      expect.arrayContaining([
        LIVE.GRAPH_CLIENT_SECRET,
        LIVE.DINGTALK_APP_SECRET,
        LIVE.DINGTALK_CALLBACK_AES_KEY,
      ]),
    );
  });

  test('a missing live setting is named, with what to set it to', () => {
    const problems = problemsOf({
      ...LIVE,
      GRAPH_CREDENTIAL: 'secret',
      GRAPH_CLIENT_SECRET: undefined,
      DINGTALK_CORP_ID: '  ',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^DINGTALK_CORP_ID is missing: set it to/);
    expect(problems[1]).toBe(
      'GRAPH_CLIENT_SECRET is missing: set it to the client secret of the Entra app registration (a Key Vault ' +
        'reference in Azure), or set GRAPH_CREDENTIAL to managed-identity (no secret) or certificate.',
    );
  });

  describe('the Graph credential', () => {
    const noSecret = { ...LIVE, GRAPH_CLIENT_SECRET: undefined };

    test('unset: secret when GRAPH_CLIENT_SECRET is given (as before), else the managed identity', () => {
      expect(loadConfig(LIVE).graph).toMatchObject({
        credential: 'secret',
        clientSecret: LIVE.GRAPH_CLIENT_SECRET,
      });
      expect(loadConfig(noSecret).graph).toMatchObject({
        credential: 'managed-identity',
        clientSecret: undefined,
      });
      expect(loadConfig({}).graph).toMatchObject({
        credential: 'secret',
        clientSecret: 'sandbox-graph-secret',
      });
      // An explicit choice wins over a secret still set from before.
      expect(loadConfig({ ...LIVE, GRAPH_CREDENTIAL: 'managed-identity' }).graph.credential).toBe(
        'managed-identity',
      );
    });

    test('managed identity in Azure needs the identity named by AZURE_CLIENT_ID', () => {
      expect(problemsOf({ ...noSecret, AZURE_CLIENT_ID: undefined })).toEqual([
        'AZURE_CLIENT_ID is missing: GRAPH_CREDENTIAL is not set and no GRAPH_CLIENT_SECRET is set, so the app ' +
          "signs in to Entra as its user-assigned managed identity: set AZURE_CLIENT_ID to that identity's client id " +
          'and give the app registration a federated credential for it (docs/graph.md), or set GRAPH_CLIENT_SECRET.',
      ]);
      expect(
        problemsOf({ ...noSecret, GRAPH_CREDENTIAL: 'managed-identity', AZURE_CLIENT_ID: undefined })[0],
      ).toMatch(/^AZURE_CLIENT_ID is missing: GRAPH_CREDENTIAL is managed-identity, so the app signs in/);
    });

    test('certificate: the Key Vault certificate name and the vault, each asked for plainly', () => {
      const config = loadConfig({
        ...noSecret,
        GRAPH_CREDENTIAL: 'certificate',
        GRAPH_CERTIFICATE_NAME: 'graph-cert',
      });
      expect(config.graph).toMatchObject({ credential: 'certificate', certificateName: 'graph-cert' });
      expect(config.keyVaultUrl).toBe(LIVE.KEY_VAULT_URL);
      expect(
        problemsOf({
          ...noSecret,
          GRAPH_CREDENTIAL: 'certificate',
          KEY_VAULT_URL: undefined,
          SYNC_KINDS: 'calendar',
        }),
      ).toEqual([
        'GRAPH_CERTIFICATE_NAME is missing: GRAPH_CREDENTIAL is certificate, so set it to the name of the Key Vault ' +
          'certificate (content type PEM) whose public part is uploaded to the Entra app registration.',
        'KEY_VAULT_URL is missing: GRAPH_CREDENTIAL is certificate and the certificate is read from Key Vault; set it ' +
          'to the https URL of the Key Vault the app reads runtime secrets from (mailbox app passwords, the Graph ' +
          'certificate), e.g. https://kv-sync.vault.azure.net.',
      ]);
      expect(
        problemsOf({
          ...noSecret,
          GRAPH_CREDENTIAL: 'certificate',
          GRAPH_CERTIFICATE_NAME: 'graph_cert.pem',
        })[0],
      ).toMatch(/^GRAPH_CERTIFICATE_NAME is invalid "graph_cert.pem": must be a Key Vault certificate name/);
    });

    test('an unknown mode is named with the three choices; the sandbox keeps its built-in secret', () => {
      expect(problemsOf({ ...LIVE, GRAPH_CREDENTIAL: 'password' })).toEqual([
        expect.stringMatching(
          /^GRAPH_CREDENTIAL is invalid "password": must be managed-identity, certificate or secret\. Set it to the way the app proves its identity to Entra/,
        ),
      ]);
      expect(
        loadConfig({
          GRAPH_CREDENTIAL: 'certificate',
          GRAPH_CERTIFICATE_NAME: 'c',
          KEY_VAULT_URL: 'https://kv.vault.azure.net',
        }).graph.credential,
      ).toBe('certificate');
    });
  });

  test('live mode without any storage setting says both ways to fix it', () => {
    const problems = problemsOf({ ...LIVE, AzureWebJobsStorage__accountName: undefined });
    expect(problems.join('\n')).toMatch(/AzureWebJobsStorage is missing.*AzureWebJobsStorage__accountName/);
  });

  test('malformed values are reported per setting; secrets are never echoed', () => {
    const problems = problemsOf({
      ...LIVE,
      BULK_DELETE_MAX_SHARE: '2',
      DRY_RUN: 'yes',
      CONFLICT_POLICY: 'oldest-wins',
      AZURE_CLIENT_ID: 'not-a-guid',
      DINGTALK_CALLBACK_AES_KEY: 'short-secret-aes',
      PUBLIC_BASE_URL: 'http://sync-fn.azurewebsites.net',
      SYNC_MODE: 'live',
    });
    const text = problems.join('\n');
    for (const name of [
      'BULK_DELETE_MAX_SHARE',
      'DRY_RUN',
      'CONFLICT_POLICY',
      'AZURE_CLIENT_ID',
      'DINGTALK_CALLBACK_AES_KEY',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} is invalid`, 'm'));
    }
    expect(text).toMatch(/PUBLIC_BASE_URL must start with https:\/\//);
    expect(text).toContain('"oldest-wins"');
    expect(text).not.toContain('short-secret-aes');
    expect(text).toMatch(/DINGTALK_CALLBACK_AES_KEY is invalid \(hidden\)/);
  });

  test('an unknown SYNC_MODE is one clear problem', () => {
    const problems = problemsOf({ SYNC_MODE: 'prod' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SYNC_MODE is invalid "prod"/);
  });

  describe('an unresolved Key Vault reference', () => {
    const byUri =
      '@Microsoft.KeyVault(SecretUri=https://kv-sync-contoso.vault.azure.net/secrets/graph-client-secret/)';
    const byName = '@Microsoft.KeyVault(VaultName=kv-sync-contoso;SecretName=dingtalk-callback-aes-key)';

    test('is shown in full, vault and secret names included, in any mode', () => {
      for (const env of [{ ...LIVE, GRAPH_CLIENT_SECRET: byUri }, { GRAPH_CLIENT_SECRET: byUri }]) {
        const problems = problemsOf(env);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^GRAPH_CLIENT_SECRET holds a Key Vault reference/);
        expect(problems[0]).toContain(byUri);
      }
      expect(problemsOf({ DINGTALK_CALLBACK_AES_KEY: byName })[0]).toContain(byName);
    });

    test('in Azure, the advice is the identity’s role, the secret and the reference syntax', () => {
      const [problem] = problemsOf({ ...LIVE, GRAPH_CLIENT_SECRET: byUri });
      expect(problem).toMatch(/"Key Vault Secrets User" role/);
      expect(problem).toContain(
        '@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<secret>/)',
      );
      expect(problem).toContain('@Microsoft.KeyVault(VaultName=<vault>;SecretName=<secret>)');
      expect(problem).not.toContain('local.settings.json');
    });

    test('on the local host, the advice is the plain value in local.settings.json, not a role', () => {
      const [problem] = problemsOf({ ...LIVE, GRAPH_CLIENT_SECRET: byName, FUNCTIONS_LOCAL_HOST: '1' });
      expect(problem).toBe(
        `GRAPH_CLIENT_SECRET holds a Key Vault reference, ${byName}, which the local host does not resolve: ` +
          'put the plain value in local.settings.json ("Values") instead.',
      );
    });
  });

  test('no message says "the the", whichever setting is missing or wrong', () => {
    const fromMissing = problemsOf({ SYNC_MODE: 'live' });
    const fromInvalid = problemsOf(Object.fromEntries(Object.keys(SETTINGS).map((n) => [n, '!'])));
    expect(fromMissing.some((p) => p.startsWith('DINGTALK_CALLBACK_TOKEN is missing'))).toBe(true);
    expect(fromInvalid.some((p) => p.startsWith('DINGTALK_CALLBACK_AES_KEY is invalid'))).toBe(true);
    for (const problem of [...fromMissing, ...fromInvalid]) expect(problem).not.toMatch(/\bthe the\b/i);
  });

  test('the callback settings read plainly when they are missing or wrong', () => {
    const problems = problemsOf({
      ...LIVE,
      DINGTALK_CALLBACK_TOKEN: undefined,
      DINGTALK_CALLBACK_AES_KEY: 'short',
    });
    expect(problems).toEqual([
      'DINGTALK_CALLBACK_TOKEN is missing: set it to the "token" entered in the DingTalk developer console for ' +
        'HTTP event push.',
      'DINGTALK_CALLBACK_AES_KEY is invalid (hidden): must be exactly 43 letters or digits. Set it to the ' +
        '43-character "aes_key" entered in the DingTalk developer console for HTTP event push.',
    ]);
  });

  test('the storage account key inside a connection string counts as a secret', () => {
    const config = loadConfig({
      AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0a2V5PT0=;',
    });
    expect(config.secretValues).toContain('c2VjcmV0a2V5PT0=');
  });

  test('mail settings: defaults, the sandbox server, and plain messages for bad values', () => {
    const live = loadConfig(LIVE);
    expect(live.kinds).toEqual(['calendar', 'mail']);
    expect(live.mail).toEqual({
      imapHost: 'imap.dingtalk.com',
      imapPort: 993,
      pollIntervalMs: 60_000,
      lookBackDays: 30,
      deletes: 'keep',
    });
    expect(loadConfig({}).mail).toMatchObject({ imapHost: '127.0.0.1', imapPort: 7993 });
    expect(loadConfig({ ...LIVE, SYNC_KINDS: ' Calendar , calendar ' }).kinds).toEqual(['calendar']);
    const problems = problemsOf({
      ...LIVE,
      SYNC_KINDS: 'calendar,tasks',
      MAIL_POLL_SECONDS: '5',
      MAIL_DELETES: 'purge',
      MAIL_IMAP_HOST: 'imap://x',
    });
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('SYNC_KINDS'))).toMatch(/calendar, mail, todo or contact/);
    expect(problems.find((p) => p.startsWith('MAIL_POLL_SECONDS'))).toMatch(/seconds between polls/);
    expect(problems.find((p) => p.startsWith('MAIL_DELETES'))).toMatch(/keep .*trash/);
    expect(problems.find((p) => p.startsWith('MAIL_IMAP_HOST'))).toMatch(/host name/);
    expect(problemsOf({ ...LIVE, SYNC_KINDS: ' , ' })[0]).toMatch(/^SYNC_KINDS .*at least one kind/);
    expect(problemsOf({ ...LIVE, KEY_VAULT_URL: undefined })).toEqual([
      expect.stringMatching(
        /^KEY_VAULT_URL is missing: mail sync reads each DingTalk mailbox's app password/,
      ),
    ]);
    expect(loadConfig({ ...LIVE, KEY_VAULT_URL: undefined, SYNC_KINDS: 'calendar' }).kinds).toEqual([
      'calendar',
    ]);
  });

  test('to-do and contact settings: defaults, and plain messages for bad values', () => {
    const config = loadConfig({ ...LIVE, SYNC_KINDS: 'calendar,todo,contact' });
    expect(config.kinds).toEqual(['calendar', 'todo', 'contact']);
    expect(config.todo).toEqual({ pollIntervalMs: 120_000, timeZone: 'Asia/Shanghai' });
    expect(config.contacts).toEqual({ pollIntervalMs: 300_000 });
    const problems = problemsOf({
      ...LIVE,
      TODO_TIME_ZONE: 'China Standard Time',
      TODO_POLL_SECONDS: '10',
      CONTACT_POLL_SECONDS: 'often',
    });
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('TODO_TIME_ZONE'))).toMatch(
      /IANA time zone name such as Asia\/Shanghai/,
    );
    expect(problems.find((p) => p.startsWith('TODO_POLL_SECONDS'))).toMatch(/>=30/);
    expect(problems.find((p) => p.startsWith('CONTACT_POLL_SECONDS'))).toMatch(/external contacts/);
  });

  test('retention: defaults, and content never kept longer than the rows that hold it', () => {
    expect(loadConfig(LIVE).retention).toEqual({ auditDays: 365, detailDays: 90 });
    expect(problemsOf({ ...LIVE, AUDIT_RETENTION_DAYS: '30', AUDIT_DETAIL_DAYS: '60' })).toEqual([
      'AUDIT_DETAIL_DAYS (60) is longer than AUDIT_RETENTION_DAYS (30): content cannot outlive the rows that hold ' +
        'it; lower AUDIT_DETAIL_DAYS or raise AUDIT_RETENTION_DAYS.',
    ]);
  });
});
