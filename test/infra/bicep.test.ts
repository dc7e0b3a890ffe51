import fs from 'node:fs';
import path from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { SETTINGS } from '../../shared/platform/config';

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
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
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

  test('the parameters file supplies every parameter without a default', () => {
    const withoutDefault = [...template.matchAll(/^param (\w+) \w+$/gm)].map((m) => m[1]);
    expect(withoutDefault.filter((p) => !(p in parameters.parameters))).toEqual([]);
  });
});
