import { ConfigError, isPlaceholder, loadConfig } from '../../../shared/platform/config';

/** Live mode refuses the values a sample or a template leaves to be filled in, naming the setting and the fix. */

const LIVE = {
  SYNC_MODE: 'live',
  AzureWebJobsStorage__accountName: 'syncstate01',
  AZURE_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
  PUBLIC_BASE_URL: 'https://sync-fn.azurewebsites.net',
  GRAPH_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  GRAPH_CLIENT_ID: '0b6c3a2e-5d41-4f6e-9a8b-1c2d3e4f5a6b',
  GRAPH_CLIENT_SECRET: 'Qx28Q~graph-client-secret-value',
  DINGTALK_APP_KEY: 'dingq3w7ncjz5tvrmyxa',
  DINGTALK_APP_SECRET: 'dingtalk-app-secret-value',
  DINGTALK_CORP_ID: 'ding8c5f3a2b1d4e6f7a8b9c0d1e2f3a4b5c',
  DINGTALK_CALLBACK_TOKEN: 'callback-token-value',
  DINGTALK_CALLBACK_AES_KEY: '4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij',
  KEY_VAULT_URL: 'https://kv-sync.vault.azure.net',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

test('real identifiers load', () => {
  expect(problemsOf(LIVE)).toEqual([]);
});

test('the placeholders the parameters file used to ship stop the app at start, each with where to find the value', () => {
  const problems = problemsOf({
    ...LIVE,
    GRAPH_TENANT_ID: '00000000-0000-0000-0000-000000000000',
    GRAPH_CLIENT_ID: '00000000-0000-0000-0000-000000000000',
    DINGTALK_APP_KEY: 'dingxxxxxxxxxxxxxxxx',
    DINGTALK_CORP_ID: 'dingxxxxxxxxxxxxxxxx',
  });
  expect(problems).toEqual([
    'GRAPH_TENANT_ID holds a placeholder, "00000000-0000-0000-0000-000000000000": set it to the Entra tenant id, a GUID: az account show --query tenantId -o tsv.',
    expect.stringMatching(/^GRAPH_CLIENT_ID holds a placeholder, .*Application \(client\) ID/),
    expect.stringMatching(
      /^DINGTALK_APP_KEY holds a placeholder, "dingxxxxxxxxxxxxxxxx": .*Client ID \(AppKey\)/,
    ),
    expect.stringMatching(/^DINGTALK_CORP_ID holds a placeholder, .*CorpId/),
  ]);
});

test('a placeholder secret is named without showing it', () => {
  const problems = problemsOf({
    ...LIVE,
    DINGTALK_APP_SECRET: 'changeme',
    DINGTALK_CALLBACK_TOKEN: '<token>',
  });
  expect(problems).toEqual([
    expect.stringMatching(
      /^DINGTALK_APP_SECRET holds a placeholder, \(hidden\): set it to the Client Secret/,
    ),
    expect.stringMatching(/^DINGTALK_CALLBACK_TOKEN holds a placeholder, \(hidden\)/),
  ]);
  expect(problems.join('\n')).not.toContain('changeme');
});

test('the sandbox keeps its own values: placeholders are a live-mode problem', () => {
  const config = loadConfig({ GRAPH_TENANT_ID: '00000000-0000-0000-0000-000000000000' });
  expect(config.mode).toBe('sandbox');
});

test.each([
  ['00000000-0000-0000-0000-000000000000', true],
  ['ffffffff-ffff-ffff-ffff-ffffffffffff', true],
  ['dingxxxxxxxxxxxxxxxx', true],
  ['xxxxxxxx', true],
  ['<entra client secret>', true],
  ['${GRAPH_TENANT_ID}', true],
  ['{{ tenant }}', true],
  ['ChangeMe', true],
  ['your-app-key', true],
  ['72f988bf-86f1-41af-91ab-2d7cd011db47', false],
  ['11111111-2222-4333-8444-555555555555', false],
  ['dingq3w7ncjz5tvrmyxa', false],
  ['ding8c5f3a2b1d4e6f7a8b9c0d1e2f3a4b5c', false],
  ['callback-token-value', false],
])('isPlaceholder(%j) is %s', (value, expected) => {
  expect(isPlaceholder(value)).toBe(expected);
});
