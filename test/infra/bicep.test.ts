import { describeRegistrations } from '../../sandbox/host';
import { CONSENT_CALLBACK_PATH, requiredPermissions } from '../../shared/app/consent/consent-link';
import { STATUS_ADMIN_ROLE } from '../../shared/app/status/client-principal';
import { tokenExchangeAudience } from '../../shared/connectors/graph/token-provider';
import { isPlaceholder, loadConfig, SETTINGS } from '../../shared/platform/config';
import { registrations } from '../support/functions-core-mock';
import { literal, objectVar, read, resourceBody, syntaxProblems } from './template';

/**
 * Bicep cannot be compiled here (its CLI is a download), so this is the check we can run: the templates parse,
 * and every name that must match the code does. IT still runs `az bicep build` and `what-if` (README).
 */
const template = read('infra/main.bicep');
const entraApp = read('infra/entra-app.bicep');
const settingsModule = read('infra/app-settings.bicep');
const parameters = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, unknown> };

const owned = objectVar(template, 'ownedSettings');
const credentialSettings = new Map([
  ...objectVar(template, 'secretSetting'),
  ...objectVar(template, 'certificateSetting'),
]);
const initial = objectVar(template, 'initialSettings');
/** Every setting the template can write, with its expression. */
const appSettings = new Map([...initial, ...owned, ...credentialSettings]);

/** Each parameter: its type, its default (undefined: none, so az asks for it) and its decorators. */
const params = new Map(
  [...template.matchAll(/((?:^@.*\n(?:^ {2}.*\n|^\]\)\n)*)*)^param (\w+) (\w+)(?: = (.+))?$/gm)].map((m) => [
    m[2],
    { type: m[3], default: m[4], decorators: m[1] },
  ]),
);

/** Each role assignment: who gets which role (by the key in `roles`), and its condition if any. */
const assignments = [
  ...template.matchAll(
    /^resource (\w+) 'Microsoft\.Authorization\/roleAssignments@[\w-]+' = (?:if \((.+)\) )?\{\n([\s\S]*?)^\}/gm,
  ),
].map((m) => ({
  name: m[1],
  condition: m[2],
  role: /roleDefinitionId: .*roles\.(\w+)\)/.exec(m[3])?.[1],
  principal: /principalId: (.+)/.exec(m[3])?.[1],
}));
const roleIds = Object.fromEntries(
  [...objectVar(template, 'roles')].map(([name, id]) => [name, literal(id)]),
);
const readme = read('README.md');
/** Whether the README says `text` (kept short on failure: the whole README is long). */
const readmeSays = (text: string) => [text, readme.includes(text)];

/** A value for a setting whose Bicep expression is not a literal, as Azure would hand it to the app. */
function resolved(name: string, expression: string): string {
  const text = literal(expression);
  if (text !== undefined) return text;
  if (expression.startsWith("'@Microsoft.KeyVault(")) {
    // Azure resolves references before the app reads them; the aes_key has its own format.
    return name === 'DINGTALK_CALLBACK_AES_KEY' ? 'a'.repeat(43) : `${name.toLowerCase()}-from-key-vault`;
  }
  const byDefault = literal(params.get(expression)?.default);
  if (byDefault !== undefined) return byDefault;
  const samples: Record<string, string> = {
    AzureWebJobsStorage__accountName: 'stdtsyncabc',
    AzureWebJobsStorage__clientId: '5b7e0c4e-3c1a-4b52-9e0e-0d3c6a1f2b11',
    AZURE_CLIENT_ID: '5b7e0c4e-3c1a-4b52-9e0e-0d3c6a1f2b11',
    OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: '5b7e0c4e-3c1a-4b52-9e0e-0d3c6a1f2b11',
    APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x',
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=x;Authorization=AAD',
    SYNC_KINDS: 'calendar,mail,todo,contact',
    PUBLIC_BASE_URL: 'https://func-dtsync-abc.azurewebsites.net',
    KEY_VAULT_URL: 'https://kv-dtsync-abc.vault.azure.net',
    GRAPH_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    WEBSITE_AUTH_AAD_ALLOWED_TENANTS: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    GRAPH_CLIENT_ID: '2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d',
    // The parameters' defaults: a new deployment starts as a dry run.
    DRY_RUN: 'true',
    DINGTALK_APP_KEY: 'dingq8r2kx7s0mzlp4vw',
    DINGTALK_CORP_ID: 'ding5f1c0a9e7b3d2c4a',
  };
  if (!(name in samples)) throw new Error(`no sample value for ${name} = ${expression}`);
  return samples[name];
}

describe('infra/*.bicep', () => {
  test('parse without a syntax error', async () => {
    for (const [file, text, least] of [
      ['infra/main.bicep', template, 15],
      ['infra/entra-app.bicep', entraApp, 6],
      ['infra/app-settings.bicep', settingsModule, 2],
    ] as const) {
      const { problems, resources } = await syntaxProblems(text);
      expect([file, problems]).toEqual([file, []]);
      expect([file, resources >= least]).toEqual([file, true]);
    }
  });

  test('the Graph extension is the one bicepconfig.json next to the templates names', () => {
    const config = JSON.parse(read('infra/bicepconfig.json').replace(/^\s*\/\/.*$/gm, '')) as {
      extensions: Record<string, string>;
    };
    const alias = /^extension (\w+)$/m.exec(entraApp)?.[1];
    expect(alias).toBe('microsoftGraphV1');
    expect(config.extensions[alias!]).toMatch(
      /^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d+\.\d+\.\d+$/,
    );
    // Only the app registration module needs it, so a deployment with an existing app creates nothing in Entra.
    expect(template).not.toMatch(/^extension /m);
    expect(template).toContain("module entraApp 'entra-app.bicep' = if (createApp) {");
    expect(template).toContain('var createApp = empty(graphClientId)');
    expect(template).toContain('var clientId = createApp ? entraApp.outputs.appId : graphClientId');
  });

  test('every setting is one the app knows, and the template writes every setting live mode requires', () => {
    const required = Object.entries(SETTINGS)
      .filter(([, spec]) => 'liveOnly' in spec && spec.liveOnly)
      .map(([name]) => name);
    expect(required.filter((name) => !owned.has(name))).toEqual([]);
    const platform =
      /^(AzureWebJobsStorage__(credential|clientId)|APPLICATIONINSIGHTS_\w+|OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID|WEBSITE_AUTH_AAD_ALLOWED_TENANTS|MALLOC_MMAP_THRESHOLD_|languageWorkers__node__arguments)$/;
    const unknown = [...appSettings.keys()].filter((name) => !(name in SETTINGS) && !platform.test(name));
    expect(unknown).toEqual([]);
    expect(owned.get('SYNC_MODE')).toBe("'live'");
  });

  test('the process settings a deployment writes are the ones npm start, test and bench start the app with', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain script, not a typed module
    const { WORKER_PROCESS_ENV, WORKER_NODE_ARGUMENTS } = require('../../scripts/worker-process-env') as {
      WORKER_PROCESS_ENV: Record<string, string>;
      WORKER_NODE_ARGUMENTS: string[];
    };
    expect(Object.keys(WORKER_PROCESS_ENV)).toEqual(['MALLOC_MMAP_THRESHOLD_']);
    for (const [name, value] of Object.entries(WORKER_PROCESS_ENV))
      expect(owned.get(name)).toBe(`'${value}'`);
    // The Functions host starts the Node worker with this setting's value as its arguments.
    expect(WORKER_NODE_ARGUMENTS).toEqual(['--max-old-space-size=512']);
    expect(owned.get('languageWorkers__node__arguments')).toBe(`'${WORKER_NODE_ARGUMENTS.join(' ')}'`);
  });

  test.each(['managed-identity', 'certificate', 'secret'])(
    'the settings a deployment gets start the app in live mode with GRAPH_CREDENTIAL=%s',
    (credential) => {
      const env: Record<string, string> = {};
      // GRAPH_CREDENTIAL is each of its values in turn; the other settings as a deployment resolves them.
      env.GRAPH_CREDENTIAL = credential;
      for (const [name, expression] of [...initial, ...owned]) env[name] ??= resolved(name, expression);
      if (credential === 'secret') env.GRAPH_CLIENT_SECRET = 'graph-client-secret-from-key-vault';
      if (credential === 'certificate') env.GRAPH_CERTIFICATE_NAME = 'graph-signin';
      const config = loadConfig(env);
      expect(config.mode).toBe('live');
      expect(config.graph.credential).toBe(credential);
      expect(config.sync.dryRun).toBe(true);
      expect(config.storage.managedIdentityClientId).toBe(env.AZURE_CLIENT_ID);
    },
  );

  test('the credential setting follows the credential, and one left behind by another is removed', () => {
    expect(template).toContain(
      "var credentialSettings = credential == 'secret' ? secretSetting : (credential == 'certificate' ? certificateSetting : {})",
    );
    expect([...credentialSettings.keys()]).toEqual(['GRAPH_CLIENT_SECRET', 'GRAPH_CERTIFICATE_NAME']);
    expect(template).toContain(
      "retired: filter(['GRAPH_CLIENT_SECRET', 'GRAPH_CERTIFICATE_NAME'], name => !contains(credentialSettings, name))",
    );
    expect(owned.get('GRAPH_CREDENTIAL')).toBe('credential');
    // A new deployment signs in with no secret at all; one made before GRAPH_CREDENTIAL keeps its secret.
    expect(template).toContain(
      "var currentCredential = currentSettings.?GRAPH_CREDENTIAL ?? (contains(currentSettings, 'GRAPH_CLIENT_SECRET') ? 'secret' : 'managed-identity')",
    );
    expect(params.get('graphCredential')).toMatchObject({ type: 'string', default: "''" });
  });

  test('passes every secret as a Key Vault reference, never as a value', () => {
    const secrets = Object.entries(SETTINGS).filter(([, spec]) => 'secret' in spec && spec.secret);
    const written = secrets.map(([name]) => name).filter((name) => appSettings.has(name));
    for (const name of written) {
      expect([name, appSettings.get(name)]).toEqual([
        name,
        expect.stringMatching(/'@Microsoft\.KeyVault\(SecretUri=\$\{kvRef\}\/[a-z0-9-]+\/\)'$/),
      ]);
    }
    const neededLive = secrets
      .filter(([, spec]) => 'liveOnly' in spec && spec.liveOnly)
      .map(([name]) => name);
    expect(neededLive.filter((name) => !written.includes(name))).toEqual([]);
    expect(written).toContain('GRAPH_CLIENT_SECRET');
    expect(appSettings.has('AzureWebJobsStorage')).toBe(false);
    expect(template).not.toMatch(/listKeys\(/);
    expect(settingsModule).toMatch(/@secure\(\)\nparam current object/);
  });

  test('the Key Vault secret names match the ones the README tells IT to set', () => {
    const names = [...template.matchAll(/\$\{kvRef\}\/([a-z0-9-]+)\//g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const name of names) expect(readmeSays(`-n ${name} `)).toEqual([`-n ${name} `, true]);
  });

  test('runs Node 22 on Flex Consumption with identity-only storage and the roles the triggers need', () => {
    expect(template).toMatch(/name: 'FC1'/);
    expect(template).toMatch(/allowSharedKeyAccess: false/);
    expect(template).toMatch(/param nodeVersion string = '22'/);
    for (const forbidden of [
      'WEBSITE_NODE_DEFAULT_VERSION',
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_CONTENTSHARE',
    ]) {
      expect(appSettings.has(forbidden)).toBe(false);
    }
    for (const roleId of [
      '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
      '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    ]) {
      expect(template).toContain(roleId);
    }
  });

  test('the parameters file holds no placeholder: what only the deployer knows is left out, so az asks for it', () => {
    expect(Object.keys(parameters.parameters).filter((name) => !params.has(name))).toEqual([]);
    const values = Object.values(parameters.parameters).map((p) => String((p as { value: unknown }).value));
    expect(values.filter(isPlaceholder)).toEqual([]);
    const asked = [...params].filter(([, p]) => p.default === undefined).map(([name]) => name);
    expect(asked.sort()).toEqual(['deployerPrincipalId', 'dingtalkAppKey', 'dingtalkCorpId']);
    for (const name of asked) {
      expect(parameters.parameters).not.toHaveProperty(name);
      expect(params.get(name)?.decorators).toMatch(/@description\('.{20,}'\)/);
    }
    // The Entra identifiers are optional now: empty means this deployment's tenant and an app the template creates.
    for (const name of ['graphTenantId', 'graphClientId']) {
      expect(params.get(name)).toMatchObject({ type: 'string', default: "''" });
      expect(params.get(name)?.decorators).toMatch(/@maxLength\(36\)/);
    }
  });

  test("the app's identity may read secrets and no more; the deployer may write them, so README step 2 works", () => {
    // Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security
    expect(roleIds.keyVaultSecretsUser).toBe('4633458b-17de-408a-b874-0445c86b69e6');
    expect(roleIds.keyVaultSecretsOfficer).toBe('b86a8fe4-44ce-4948-aee5-eccb2c155cd7');
    const app = assignments
      .filter((a) => a.principal === 'identity.properties.principalId')
      .map((a) => a.role);
    expect(app.sort()).toEqual([
      'keyVaultSecretsUser',
      'monitoringMetricsPublisher',
      'storageBlobDataOwner',
      'storageQueueDataContributor',
      'storageTableDataContributor',
    ]);
    expect(assignments.filter((a) => a.principal === 'deployerPrincipalId')).toEqual([
      {
        name: 'deployerSecretsOfficer',
        condition: '!empty(deployerPrincipalId)',
        role: 'keyVaultSecretsOfficer',
        principal: 'deployerPrincipalId',
      },
    ]);
    expect(template).toMatch(/principalType: deployerPrincipalType\n/);
    const command = 'az ad signed-in-user show --query id -o tsv';
    expect(params.get('deployerPrincipalId')?.decorators).toContain(command);
    expect(readmeSays(command)).toEqual([command, true]);
  });

  test('names the code and DingTalk rely on: the callback route, the vault URL, the timer schedule', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading registers the function, as the worker does
    require('../../functions/dingtalk-events');
    const route = describeRegistrations(registrations).find((d) => d.name === 'dingtalk-events')?.route;
    expect(route).toBe('dingtalk/events');
    expect(template).toContain(
      `output dingtalkCallbackUrl string = 'https://\${functionApp.properties.defaultHostName}/api/${route}'`,
    );
    expect(owned.get('KEY_VAULT_URL')).toBe("'https://${keyVaultName}${environment().suffixes.keyvaultDns}'");
    expect(template).toContain(
      "var kvRef = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets'",
    );
    expect(template).toMatch(/resource vault '[^']+' = \{\n {2}name: keyVaultName\n/);
    const schedule = literal(initial.get('TIMER_SCHEDULE'));
    expect(SETTINGS.TIMER_SCHEDULE.schema.safeParse(schedule).success).toBe(true);
  });

  test('a redeployment keeps its vault name; a suffix is only for a name a deleted vault still holds', () => {
    expect(params.get('keyVaultNameSuffix')).toMatchObject({ type: 'string', default: "''" });
    expect(template).toContain(
      'var vaultSuffix = empty(keyVaultNameSuffix) ? suffix : uniqueString(resourceGroup().id, appName, keyVaultNameSuffix)',
    );
    expect(template).toContain("var keyVaultName = take('kv-${appName}-${vaultSuffix}', 24)");
    expect(readmeSays('-p keyVaultNameSuffix=')).toEqual(['-p keyVaultNameSuffix=', true]);
  });

  test('one HTTP instance is always ready for check_url, and the region is checked for Flex Consumption', () => {
    expect(params.get('httpAlwaysReadyInstances')).toMatchObject({ type: 'int', default: '1' });
    expect(template).toMatch(
      /alwaysReady: \[\n\s+\{\n\s+name: 'http'\n\s+instanceCount: httpAlwaysReadyInstances\n/,
    );
    const check = 'az functionapp list-flexconsumption-locations';
    expect(params.get('location')?.decorators).toContain(check);
    expect(readmeSays(check)).toEqual([check, true]);
  });
});

describe('a redeployment keeps what the admin set', () => {
  test('the site declares no app settings, so its PUT replaces none; the settings module merges them', () => {
    expect(resourceBody(template, 'functionApp')).not.toMatch(/appSettings/);
    expect(template).toContain(
      "var currentSettings = list('${functionApp.id}/config/appsettings', '2024-04-01').properties",
    );
    expect(template).toMatch(
      /^module settings 'app-settings\.bicep' = \{\n[\s\S]*? {4}current: currentSettings\n/m,
    );
    // The admin's values win over the first deployment's, the template's own over both.
    expect(settingsModule).toContain('properties: union(initial, kept, owned)');
    expect(settingsModule).toContain(
      'var kept = toObject(filter(items(current), setting => !contains(retired, setting.key)), setting => setting.key, setting => setting.value)',
    );
  });

  test('DRY_RUN and the policies are written by the first deployment only, never again', () => {
    expect([...initial.keys()].sort()).toEqual(['CONFLICT_POLICY', 'DRY_RUN', 'TIMER_SCHEDULE']);
    expect(initial.get('DRY_RUN')).toBe("dryRun ? 'true' : 'false'");
    expect(template).toContain("var firstDeployment = !contains(currentSettings, 'SYNC_MODE')");
    expect(template).toContain('initial: firstDeployment ? initialSettings : {}');
    // Nothing an admin tunes is owned: only resources, identities, the credential and the kinds (template
    // parameters whose empty default keeps the deployed value).
    const adminSettings = Object.keys(SETTINGS).filter(
      (name) => !owned.has(name) && !credentialSettings.has(name) && name !== 'AzureWebJobsStorage',
    );
    expect(adminSettings).toEqual(
      expect.arrayContaining(['DRY_RUN', 'CONFLICT_POLICY', 'DELETE_POLICY', 'BULK_DELETE_MAX_SHARE']),
    );
    expect(owned.get('SYNC_KINDS')).toBe('kinds');
    expect(template).toContain(
      "var kinds = empty(syncKinds) ? (currentSettings.?SYNC_KINDS ?? 'calendar,mail') : syncKinds",
    );
    expect(params.get('syncKinds')).toMatchObject({ type: 'string', default: "''" });
    for (const name of ['dryRun', 'conflictPolicy']) {
      expect(params.get(name)?.decorators).toMatch(/a redeployment keeps the app\\'s current/i);
    }
  });
});

describe('infra/entra-app.bicep: the app registration', () => {
  const permissionIds = new Map(
    [...objectVar(entraApp, 'graphPermissionIds')].map(([name, id]) => [name, literal(id)] as const),
  );
  const byKind = new Map(
    [...objectVar(entraApp, 'permissionsByKind')].map(([kind, name]) => [kind, literal(name)] as const),
  );
  const always = literal(/^var alwaysNeeded = (.+)$/m.exec(entraApp)?.[1]);

  test('declares exactly the Graph application permissions the code asks for, kind by kind', () => {
    const kinds = ['calendar', 'mail', 'todo', 'contact'] as const;
    expect([...byKind.keys()].sort()).toEqual([...kinds].sort());
    for (const kind of kinds) {
      const declared = [always, byKind.get(kind)].sort();
      expect([kind, declared]).toEqual([kind, requiredPermissions([kind])]);
    }
    expect([...permissionIds.keys()].sort()).toEqual(requiredPermissions([...kinds, 'sentmail']));
    expect(entraApp).toContain(
      "var permissions = union([alwaysNeeded], filter(map(kinds, kind => permissionsByKind[?kind] ?? ''), name => !empty(name)))",
    );
    expect(entraApp).toMatch(
      /resourceAccess: \[for name in permissions: \{\n\s+id: graphPermissionIds\[name\]\n\s+type: 'Role'\n/,
    );
    expect(template).toContain("kinds: map(split(kinds, ','), kind => trim(toLower(kind)))");
  });

  test("the permission ids are Microsoft Graph's, as docs/graph.md lists them", () => {
    const documented = new Map(
      [...read('docs/graph.md').matchAll(/^\| `([\w.]+)` \| `([0-9a-f-]{36})` \|/gm)].map(
        (m) => [m[1], m[2]] as const,
      ),
    );
    expect(Object.fromEntries(permissionIds)).toEqual(Object.fromEntries(documented));
    expect(new Set(permissionIds.values()).size).toBe(permissionIds.size);
    expect(entraApp).toContain("var graphAppId = '00000003-0000-0000-c000-000000000000'");
  });

  test('registers the consent callback and the sign-in callback, and the Sync.Admin role for users', () => {
    const app = resourceBody(entraApp, 'app');
    expect(app).toContain(`'\${publicBaseUrl}${CONSENT_CALLBACK_PATH}'`);
    expect(app).toContain("'${publicBaseUrl}/.auth/login/aad/callback'");
    expect(template).toContain("var publicBaseUrl = 'https://${functionApp.properties.defaultHostName}'");
    expect(owned.get('PUBLIC_BASE_URL')).toBe('publicBaseUrl');
    expect(app).toMatch(/^ {2}uniqueName: uniqueName$/m);
    const role = /appRoles: \[\n\s+\{\n([\s\S]*?)\n\s+\}\n\s+\]/.exec(app)?.[1] ?? '';
    expect(role).toContain(`value: '${STATUS_ADMIN_ROLE}'`);
    expect(role).toMatch(/allowedMemberTypes: \[\n\s+'User'\n\s+\]/);
    expect(role).toContain('id: syncAdminRoleId');
    expect(entraApp).toMatch(
      /^var syncAdminRoleId = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'$/m,
    );
  });

  test('the federated credential is the one the token provider presents: the identity, its tenant, the audience', () => {
    // Nested in the app registration, as Microsoft's quickstart templates declare it.
    const credential = resourceBody(resourceBody(entraApp, 'app'), 'functionAppIdentity', '  ');
    expect(credential).toContain("name: '${uniqueName}/function-app-identity'");
    expect(credential).toContain('subject: managedIdentityPrincipalId');
    expect(credential).toContain(`'${tokenExchangeAudience('https://login.microsoftonline.com')}'`);
    expect(credential).toContain('issuer: issuer');
    expect(template).toContain('managedIdentityPrincipalId: identity.properties.principalId');
    expect(template).toContain(
      "issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'",
    );
    // The identity whose token is the assertion is the one whose client id the app is told to use.
    expect(owned.get('AZURE_CLIENT_ID')).toBe('identity.properties.clientId');
  });

  test('grants the permissions only when asked, and gives the deployer ownership', () => {
    expect(params.get('grantGraphPermissions')).toMatchObject({ type: 'bool', default: 'false' });
    expect(entraApp).toMatch(
      /^resource graphPermissionGrants 'Microsoft\.Graph\/appRoleAssignedTo@v1\.0' = \[for name in permissions: if \(grantGraphPermissions\) \{$/m,
    );
    expect(template).toContain(
      "ownerIds: !empty(deployerPrincipalId) && deployerPrincipalType != 'Group' ? [deployerPrincipalId] : []",
    );
  });
});

describe('App Service Authentication', () => {
  const auth = resourceBody(template, 'authSettings');

  test('signs admins in with the app registration and lets everyone else through to the code', () => {
    expect(template).toMatch(
      /^resource authSettings 'Microsoft\.Web\/sites\/config@[\d-]+' = \{\n {2}parent: functionApp\n {2}name: 'authsettingsV2'\n/m,
    );
    expect(auth).toContain("unauthenticatedClientAction: 'AllowAnonymous'");
    expect(auth).toContain('requireAuthentication: false');
    expect(auth).toContain('clientId: clientId');
    expect(auth).toMatch(/tokenStore: \{\n\s+enabled: false/);
  });

  test('uses the managed identity instead of a client secret', () => {
    const setting = /clientSecretSettingName: '(\w+)'/.exec(auth)?.[1];
    expect(setting).toBe('OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID');
    expect(owned.get(setting!)).toBe('identity.properties.clientId');
    expect(auth).toMatch(/dependsOn: \[\n\s+settings\n\s+\]/);
  });
});
