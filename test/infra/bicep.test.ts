import fs from 'node:fs';
import path from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { describeRegistrations } from '../../sandbox/host';
import { isPlaceholder, SETTINGS } from '../../shared/platform/config';
import { registrations } from '../support/functions-core-mock';

/**
 * Bicep cannot be compiled here (its CLI is a download), so this is the check we can run: the template parses,
 * and every name that must match the code does. IT still runs `az bicep build` and `what-if` (README).
 */
const root = path.join(__dirname, '../..');
const template = fs.readFileSync(path.join(root, 'infra/main.bicep'), 'utf8');
const parameters = JSON.parse(fs.readFileSync(path.join(root, 'infra/main.parameters.json'), 'utf8')) as {
  parameters: Record<string, unknown>;
};

const appSettings = new Map(
  [...template.matchAll(/\{ name: '([A-Za-z0-9_]+)', value: (.+) \}/g)].map((m) => [m[1], m[2]] as const),
);

/** Each parameter: its type, its default (undefined: none, so az asks for it) and its decorators. */
const params = new Map(
  [...template.matchAll(/((?:^@.*\n(?:^ {2}.*\n|^\]\n)*)*)^param (\w+) (\w+)(?: = (.+))?$/gm)].map((m) => [
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
  [
    ...(/^var roles = \{\n([\s\S]*?)^\}/m.exec(template)?.[1] ?? '').matchAll(
      /^ {2}(\w+): '([0-9a-f-]{36})'/gm,
    ),
  ].map((m) => [m[1], m[2]]),
);
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
/** Whether the README says `text` (kept short on failure: the whole README is long). */
const readmeSays = (text: string) => [text, readme.includes(text)];

describe('infra/main.bicep', () => {
  test('parses without a syntax error', async () => {
    await Parser.init();
    const language = await Language.load(
      fs.readFileSync(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm')),
    );
    const parser = new Parser();
    parser.setLanguage(language);
    const tree = parser.parse(template)!;
    const problems: string[] = [];
    const walk = (node: Node) => {
      if (node.type === 'ERROR' || node.isMissing)
        problems.push(`line ${node.startPosition.row + 1}: ${node.type}`);
      for (const child of node.children) if (child) walk(child);
    };
    walk(tree.rootNode);
    expect(problems).toEqual([]);
    expect(tree.rootNode.descendantsOfType('resource_declaration').length).toBeGreaterThanOrEqual(14);
  });

  test('sets every setting that live mode requires, and only settings the app knows', () => {
    const required = Object.entries(SETTINGS)
      .filter(([, spec]) => 'liveOnly' in spec && spec.liveOnly)
      .map(([name]) => name);
    expect(required.filter((name) => !appSettings.has(name))).toEqual([]);
    const platform = /^(AzureWebJobsStorage__(credential|clientId)|APPLICATIONINSIGHTS_\w+)$/;
    const unknown = [...appSettings.keys()].filter((name) => !(name in SETTINGS) && !platform.test(name));
    expect(unknown).toEqual([]);
    expect(appSettings.get('SYNC_MODE')).toBe("'live'");
  });

  test('passes every secret as a Key Vault reference, never as a value', () => {
    const secrets = Object.entries(SETTINGS)
      .filter(([name, spec]) => 'secret' in spec && spec.secret && name !== 'AzureWebJobsStorage')
      .map(([name]) => name);
    for (const name of secrets) expect(appSettings.get(name)).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=/);
    expect(appSettings.has('AzureWebJobsStorage')).toBe(false);
    expect(template).not.toMatch(/listKeys\(/);
  });

  test('the Key Vault secret names match the ones the README tells IT to set', () => {
    const names = [...template.matchAll(/\$\{kvRef\}\/([a-z0-9-]+)\//g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const name of names) expect(readme).toContain(`-n ${name} `);
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
    const asked = [
      'graphTenantId',
      'graphClientId',
      'dingtalkAppKey',
      'dingtalkCorpId',
      'deployerPrincipalId',
    ];
    for (const name of asked) {
      expect([name, params.get(name)?.default]).toEqual([name, undefined]);
      expect(parameters.parameters).not.toHaveProperty(name);
      expect(params.get(name)?.decorators).toMatch(/@description\('.{20,}'\)/);
    }
    // A wrong-length id fails before anything is created.
    for (const name of ['graphTenantId', 'graphClientId']) {
      expect(params.get(name)?.decorators).toMatch(/@minLength\(36\)\n@maxLength\(36\)/);
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
    expect(appSettings.get('KEY_VAULT_URL')).toBe(
      "'https://${keyVaultName}${environment().suffixes.keyvaultDns}'",
    );
    expect(template).toContain(
      "var kvRef = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets'",
    );
    expect(template).toMatch(/resource vault '[^']+' = \{\n {2}name: keyVaultName\n/);
    const schedule = /^'(.*)'$/.exec(appSettings.get('TIMER_SCHEDULE') ?? '')?.[1];
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
