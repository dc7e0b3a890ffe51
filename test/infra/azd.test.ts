import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeRegistrations } from '../../sandbox/host';
import { registrations } from '../support/functions-core-mock';
import { read, root } from './template';

/**
 * `azd up` cannot run here (no azd, no subscription), so this checks what it would read: azure.yaml, the azd
 * parameters file, the hooks, and the outputs it prints, against the template and the code.
 */
const template = read('infra/main.bicep');
const bicepparam = read('infra/main.bicepparam');
const postprovision = read('scripts/azd/postprovision.sh');
const preprovision = read('scripts/azd/preprovision.sh');
const packageScript = read('scripts/azd/package.sh');

type Yaml = { [key: string]: string | Yaml };

/** The subset of YAML azure.yaml uses: nested maps of plain scalars, indented by two spaces, and comments. */
function parseYamlMaps(text: string): Yaml {
  const top: Yaml = {};
  const stack: { indent: number; map: Yaml }[] = [{ indent: -1, map: top }];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, '');
    if (!line.trim()) continue;
    const match = /^( *)([A-Za-z][\w-]*):(?: (.+))?$/.exec(line);
    if (!match) throw new Error(`azure.yaml line ${index + 1} is not "key: value": ${raw}`);
    const indent = match[1].length;
    while (indent <= stack[stack.length - 1].indent) stack.pop();
    const parent = stack[stack.length - 1];
    if (indent !== parent.indent + 2 && parent.indent !== -1)
      throw new Error(`bad indent, line ${index + 1}`);
    if (match[2] in parent.map) throw new Error(`duplicate key ${match[2]}, line ${index + 1}`);
    if (match[3] === undefined) {
      const map: Yaml = {};
      parent.map[match[2]] = map;
      stack.push({ indent, map });
    } else {
      parent.map[match[2]] = match[3].trim();
    }
  }
  return top;
}
const azureYaml = parseYamlMaps(read('azure.yaml'));
const at = (...keys: string[]) =>
  keys.reduce<string | Yaml | undefined>((node, key) => (node as Yaml)?.[key], azureYaml);

/** Key Vault secret name of each app setting that is a Key Vault reference. */
const vaultRefs = new Map(
  [
    ...template.matchAll(/^ {2}(\w+): .*'@Microsoft\.KeyVault\(SecretUri=\$\{kvRef\}\/([a-z0-9-]+)\/\)'$/gm),
  ].map((m) => [m[1], m[2]] as const),
);
/** Every param of main.bicep and whether it has a default. */
const templateParams = new Map(
  [...template.matchAll(/^param (\w+) \w+( = .+)?$/gm)].map((m) => [m[1], m[2] !== undefined] as const),
);
/** Every assignment of main.bicepparam: the literal, or the environment variable and its default if any. */
const assigned = new Map(
  [...bicepparam.matchAll(/^param (\w+) = (.+)$/gm)].map((m) => {
    // A string as it is, or converted: bool(readEnvironmentVariable('NAME', 'false')).
    const env = /^(?:bool\()?readEnvironmentVariable\('(\w+)'(?:, '([^']*)')?\)\)?$/.exec(m[2]);
    return [m[1], env ? { env: env[1], fallback: env[2] } : { literal: m[2] }] as const;
  }),
);

describe('azure.yaml', () => {
  test('deploys infra/main.bicep and one function app service, found by the tag the template sets', () => {
    expect(at('name')).toBe('dingtalk-m365-sync');
    expect(at('infra')).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
    const services = at('services') as Yaml;
    expect(Object.keys(services)).toEqual(['sync']);
    expect(template).toContain("'azd-service-name': 'sync'");
    expect(at('services', 'sync', 'project')).toBe('.');
    expect(at('services', 'sync', 'language')).toBe('js');
    expect(at('services', 'sync', 'host')).toBe('function');
  });

  test('hooks run scripts that exist and are executable, with bash strict mode', () => {
    const hooks = {
      prepackage: at('services', 'sync', 'hooks', 'prepackage'),
      preprovision: at('hooks', 'preprovision'),
      postprovision: at('hooks', 'postprovision'),
    };
    for (const [event, hook] of Object.entries(hooks)) {
      expect([event, hook]).toEqual([
        event,
        expect.objectContaining({ shell: 'sh', continueOnError: 'false' }),
      ]);
      const script = (hook as Yaml).run as string;
      expect(script).toMatch(/^\.\/scripts\/azd\/[a-z]+\.sh$/);
      const file = path.join(root, script);
      expect([script, fs.statSync(file).mode & 0o111]).toEqual([script, 0o111]);
      const text = fs.readFileSync(file, 'utf8');
      expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
      expect(text).toMatch(/^set -euo pipefail$/m);
      expect(text).not.toMatch(/set -[a-z]*x|set -o xtrace/);
    }
  });

  test('the package is what host.json and package.json point at: the compiled functions, built first', () => {
    const host = JSON.parse(read('host.json')) as {
      version: string;
      extensions: { http: { routePrefix: string } };
    };
    expect(host.version).toBe('2.0');
    const pkg = JSON.parse(read('package.json')) as { main: string; scripts: Record<string, string> };
    const tsconfig = JSON.parse(read('tsconfig.json')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(pkg.main).toBe(`${tsconfig.compilerOptions.outDir}/functions/*.js`);
    expect(tsconfig.compilerOptions.rootDir).toBe('.');
    expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.json$/);

    expect(packageScript).toMatch(/^npm ci .*\nnpm run build$/m);
    const stage = /^stage=(\S+)$/m.exec(packageScript)?.[1];
    expect(at('services', 'sync', 'dist')).toBe(stage);
    expect(packageScript).toContain('cp host.json package-lock.json "$stage/"');
    expect(packageScript).toContain('cp -R dist/functions dist/shared "$stage/dist/"');
    // The staged package.json keeps "main" and the runtime dependencies, and drops the build script, so the remote
    // build installs and compiles nothing else.
    expect(packageScript).toContain(
      'const staged = { name, version, private: true, description, main, engines, dependencies };',
    );
    expect(at('services', 'sync', 'remoteBuild')).toBe('true');
  });

  test('the package holds everything the functions load: they import only functions/ and shared/', () => {
    const outside = listTs(path.join(root, 'functions'))
      .concat(listTs(path.join(root, 'shared')))
      .flatMap((file) =>
        [...fs.readFileSync(file, 'utf8').matchAll(/(?:from|import\(|require\() ?'(\.[^']+)'/g)]
          .map((m) => path.relative(root, path.resolve(path.dirname(file), m[1])))
          .filter((target) => !/^(functions|shared)\//.test(target) && target !== 'package.json')
          .map((target) => `${path.relative(root, file)} -> ${target}`),
      );
    expect(outside).toEqual([]);
  });
});

function listTs(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? listTs(path.join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [path.join(dir, entry.name)]
          : [],
    );
}

describe('infra/main.bicepparam (azd) and infra/main.parameters.json (az) deploy the same app', () => {
  const manual = JSON.parse(read('infra/main.parameters.json')) as {
    parameters: Record<string, { value: unknown }>;
  };

  test('assigns only parameters of the template, and every one without a default', () => {
    expect(bicepparam).toMatch(/^using '\.\/main\.bicep'$/m);
    expect([...assigned.keys()].filter((name) => !templateParams.has(name))).toEqual([]);
    const required = [...templateParams].filter(([, hasDefault]) => !hasDefault).map(([name]) => name);
    expect(required.filter((name) => !assigned.has(name))).toEqual([]);
  });

  test('the values main.parameters.json fixes are the same here', () => {
    for (const [name, { value }] of Object.entries(manual.parameters)) {
      const here = assigned.get(name);
      const literal = typeof value === 'string' ? `'${value}'` : String(value);
      expect([name, here && ('literal' in here ? here.literal : here.fallback)]).toEqual([
        name,
        'literal' in (here ?? {}) ? literal : String(value),
      ]);
    }
  });

  test("the deployer is azd's own principal, and preprovision asks for each value only the deployer knows", () => {
    expect(assigned.get('deployerPrincipalId')).toEqual({ env: 'AZURE_PRINCIPAL_ID', fallback: '' });
    const asked = [...assigned.values()]
      .filter((a) => 'env' in a && a.fallback === undefined)
      .map((a) => 'env' in a && a.env);
    expect(asked.sort()).toEqual(['DINGTALK_APP_KEY', 'DINGTALK_CORP_ID']);
    const needed = [...preprovision.matchAll(/^need (\w+) /gm)].map((m) => m[1]);
    expect(needed.sort()).toEqual(asked);
    expect(preprovision).toContain('azd env set AZURE_PRINCIPAL_ID');
  });
});

describe('scripts/azd/postprovision.sh', () => {
  test('creates the secrets the template references by the names it references', () => {
    const created = [...postprovision.matchAll(/^store_if_absent ([a-z0-9-]+) (\d+)$/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(created).toEqual([
      [vaultRefs.get('DINGTALK_CALLBACK_TOKEN'), 32],
      [vaultRefs.get('DINGTALK_CALLBACK_AES_KEY'), 43],
    ]);
    // The secrets it only reminds the admin of are the template's other references.
    const reminded = [...postprovision.matchAll(/'([a-z-]+):<[^>]+>'/g)].map((m) => m[1]);
    expect(reminded.sort()).toEqual(
      [...vaultRefs.values()].filter((name) => !created.some(([c]) => c === name)).sort(),
    );
  });

  test('no secret reaches the output or the command line', () => {
    // The generated value lives in one local of random_alnum, which writes it only into a private file.
    const uses = postprovision.split('\n').filter((line) => /\$\{?(#)?secret\b/.test(line));
    const body = /^random_alnum\(\) \{\n([\s\S]*?)^\}/m.exec(postprovision)?.[1] ?? '';
    for (const line of uses) expect(body).toContain(line);
    const calls = postprovision.split('\n').filter((line) => /random_alnum "/.test(line));
    expect(calls).toEqual(['  (umask 077 && random_alnum "$length" >"$workdir/value")']);
    for (const line of postprovision
      .split('\n')
      .filter((l) => l.includes('az keyvault secret set --vault-name "$vault"'))) {
      expect(line).toContain('--file "$workdir/value"');
      expect(line).toContain('--output none');
      expect(line).not.toContain('--value');
    }
  });

  const bash = (() => {
    try {
      execFileSync('bash', ['-c', 'head -c 1 /dev/urandom >/dev/null']);
      return true;
    } catch {
      return false;
    }
  })();
  (bash ? test : test.skip)(
    'run against a stand-in az: keeps what exists, creates the rest, prints the three URLs and no secret',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azd-hook-'));
      try {
        fs.writeFileSync(
          path.join(dir, 'az'),
          [
            '#!/usr/bin/env bash',
            'if [ "$2 $3" = "secret list" ]; then printf "dingtalk-callback-token\\ngraph-client-secret\\n"; exit 0; fi',
            'if [ "$2 $3" = "secret set" ]; then',
            '  while [ $# -gt 0 ]; do case "$1" in --name) n="$2";; --file) f="$2";; --output) o="$2";; esac; shift; done',
            '  [ "$o" = none ] || exit 9',
            `  cp "$f" "${dir}/stored-$n"; exit 0`,
            'fi',
            'exit 1',
          ].join('\n'),
          { mode: 0o755 },
        );
        const host = 'https://func-dtsync-abc.azurewebsites.net';
        const output = execFileSync(path.join(root, 'scripts/azd/postprovision.sh'), {
          env: {
            PATH: `${dir}:${process.env.PATH}`,
            KEYVAULTNAME: 'kv-dtsync-abc',
            CONSENTURL: `${host}/api/consent`,
            STATUSPAGEURL: `${host}/api/status`,
            DINGTALKCALLBACKURL: `${host}/api/dingtalk/events`,
          },
          encoding: 'utf8',
        });
        expect(fs.existsSync(path.join(dir, 'stored-dingtalk-callback-token'))).toBe(false);
        const aesKey = fs.readFileSync(path.join(dir, 'stored-dingtalk-callback-aes-key'), 'utf8');
        expect(aesKey).toMatch(/^[A-Za-z0-9]{43}$/);
        expect(output).not.toContain(aesKey);
        expect(output).toContain('kept dingtalk-callback-token');
        expect(output).toContain(`${host}/api/consent?code=`);
        expect(output).toContain(`${host}/api/status (Entra sign-in with the Sync.Admin role)`);
        expect(output).toContain(`${host}/api/dingtalk/events\n`);
        expect(output).toContain('-n dingtalk-app-secret --value');
        expect(output).not.toContain('-n graph-client-secret --value');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

/** Runs a hook with stand-in `az` (and `azd`) scripts first on PATH; returns its exit status and output. */
function runHook(hook: string, standIns: Record<string, string[]>, env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azd-hook-'));
  try {
    for (const [name, lines] of Object.entries(standIns)) {
      fs.writeFileSync(path.join(dir, name), ['#!/usr/bin/env bash', ...lines].join('\n'), { mode: 0o755 });
    }
    try {
      const stdout = execFileSync(path.join(root, hook), {
        env: { PATH: `${dir}:${process.env.PATH}`, ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { status: 0, output: stdout };
    } catch (err) {
      const failed = err as { status: number; stdout: string; stderr: string };
      return { status: failed.status, output: failed.stdout + failed.stderr };
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the hooks and the Entra app registration', () => {
  test('postprovision reminds of graph-client-secret only when the app signs in with a secret', () => {
    const az = [
      'if [ "$2 $3" = "secret list" ]; then printf "dingtalk-callback-token\\ndingtalk-callback-aes-key\\n"; exit 0; fi',
      'exit 1',
    ];
    const base = { KEYVAULTNAME: 'kv-dtsync-abc', GRAPHCLIENTID: '2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d' };
    const managed = runHook(
      'scripts/azd/postprovision.sh',
      { az },
      { ...base, GRAPHCREDENTIAL: 'managed-identity' },
    );
    expect(managed.status).toBe(0);
    expect(managed.output).not.toContain('graph-client-secret');
    expect(managed.output).toContain(
      'App registration:      2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d (GRAPH_CREDENTIAL managed-identity)',
    );
    expect(managed.output).toContain('Sync.Admin');
    const secret = runHook('scripts/azd/postprovision.sh', { az }, { ...base, GRAPHCREDENTIAL: 'secret' });
    expect(secret.output).toContain('-n graph-client-secret --value <entra client secret>');
    // The hook reads the template's outputs by azd's upper-case names.
    for (const output of ['graphClientId', 'graphCredential']) {
      expect(template).toMatch(new RegExp(`^output ${output} string = `, 'm'));
      expect(postprovision).toContain(`\${${output.toUpperCase()}:-`);
    }
  });

  test('preprovision lets the template create the app in the public cloud only, and asks for no Entra id', () => {
    const azd = ['exit 0'];
    const inCloud = (cloud: string) => [
      `if [ "$1 $2" = "cloud show" ]; then echo ${cloud}; exit 0; fi`,
      'if [ "$1 $2" = "account show" ]; then exit 0; fi',
      'if [ "$1 $2" = "ad signed-in-user" ]; then echo 0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9; exit 0; fi',
      'exit 1',
    ];
    const env = { DINGTALK_APP_KEY: 'dingq8r2kx7s0mzlp4vw', DINGTALK_CORP_ID: 'ding5f1c0a9e7b3d2c4a' };
    const publicCloud = runHook('scripts/azd/preprovision.sh', { az: inCloud('AzureCloud'), azd }, env);
    expect(publicCloud).toEqual({
      status: 0,
      output: expect.stringContaining('the template creates the app registration'),
    });
    const government = runHook('scripts/azd/preprovision.sh', { az: inCloud('AzureUSGovernment'), azd }, env);
    expect(government.status).toBe(1);
    expect(government.output).toContain('azd env set GRAPH_CLIENT_ID');
    const existing = runHook(
      'scripts/azd/preprovision.sh',
      { az: inCloud('AzureUSGovernment'), azd },
      {
        ...env,
        GRAPH_CLIENT_ID: '2c4e6a8b-1d3f-4a5b-8c7d-9e0f1a2b3c4d',
      },
    );
    expect(existing.status).toBe(0);
  });

  test('azd passes the Entra choices through, each empty by default so a redeployment keeps what it has', () => {
    for (const [param, env] of [
      ['graphTenantId', 'GRAPH_TENANT_ID'],
      ['graphClientId', 'GRAPH_CLIENT_ID'],
      ['graphCredential', 'GRAPH_CREDENTIAL'],
      ['syncKinds', 'SYNC_KINDS'],
    ]) {
      expect([param, assigned.get(param)]).toEqual([param, { env, fallback: '' }]);
    }
    expect(assigned.get('grantGraphPermissions')).toEqual({
      env: 'GRANT_GRAPH_PERMISSIONS',
      fallback: 'false',
    });
    expect(bicepparam).toContain(
      "param grantGraphPermissions = bool(readEnvironmentVariable('GRANT_GRAPH_PERMISSIONS', 'false'))",
    );
  });
});

describe('template outputs azd prints', () => {
  test('the consent link, the status page and the DingTalk callback URL are the registered routes', () => {
    /* eslint-disable @typescript-eslint/no-require-imports -- loading registers the functions, as the worker does */
    require('../../functions/admin-consent');
    require('../../functions/status-page');
    require('../../functions/dingtalk-events');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const routes = new Map(describeRegistrations(registrations).map((d) => [d.name, d.route]));
    const prefix = (JSON.parse(read('host.json')) as { extensions: { http: { routePrefix: string } } })
      .extensions.http.routePrefix;
    for (const [output, fn] of [
      ['consentUrl', 'consent'],
      ['statusPageUrl', 'status-page'],
      ['dingtalkCallbackUrl', 'dingtalk-events'],
    ]) {
      expect(routes.get(fn)).toBeDefined();
      expect(template).toContain(
        `output ${output} string = 'https://\${functionApp.properties.defaultHostName}/${prefix}/${routes.get(fn)}'`,
      );
      expect(template).toMatch(new RegExp(`@description\\('.{20,}'\\)\\noutput ${output} string`));
    }
  });
});
