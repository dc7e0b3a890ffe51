import {
  createPreflightDeps,
  preflightPassed,
  runPreflight,
  type PreflightDeps,
} from '../../../shared/app/preflight';
import { appPasswordVaultAccess, createAppPasswordVault } from '../../../shared/app/mail/app-password-vault';
import type { UserPair } from '../../../shared/store/types';
import { SANDBOX_APP, startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { startFakeKeyVault, type FakeKeyVault } from '../../../sandbox/keyvault/fake-key-vault';
import { createTestApp } from '../../support/app-context';

/**
 * The preflight against the sandbox's fakes: the app's own token provider, tables and vault client. The DingTalk
 * and public-URL checks have a world of their own (preflight-checks.test.ts); here they are left out.
 */

let vault: FakeKeyVault;
const graphs: FakeGraph[] = [];

beforeAll(async () => {
  vault = await startFakeKeyVault();
});
afterAll(async () => {
  await vault.stop();
  await Promise.all(graphs.map((g) => g.stop()));
});

function pairFor(name: string, enabledKinds: UserPair['enabledKinds']): UserPair {
  return {
    pairId: `pair-${name}`,
    dingtalkUserId: `dt-${name}`,
    dingtalkUnionId: `union-${name}`,
    entraId: `entra-${name}`,
    userPrincipalName: `${name}@contoso.example`,
    email: `${name}@contoso.example`,
    status: 'active',
    enabledKinds,
    pairedBy: 'email',
  };
}

async function appWith(roles: string[]) {
  const graph = await startFakeGraph({
    apps: [{ ...SANDBOX_APP, roles }],
    users: ['alice', 'bob'].map((n) => ({ id: `entra-${n}`, userPrincipalName: `${n}@contoso.example` })),
  });
  graphs.push(graph);
  const app = createTestApp({
    env: {
      SYNC_KINDS: 'calendar,todo,mail',
      GRAPH_AUTHORITY_HOST: graph.url,
      GRAPH_BASE_URL: graph.url,
      KEY_VAULT_URL: vault.url,
    },
  });
  await app.stores.users.save(pairFor('alice', ['calendar', 'todo', 'mail']));
  await app.stores.users.save(pairFor('bob', ['calendar', 'todo', 'mail']));
  return app;
}

/** The app's own deps without the checks that need DingTalk or requests to the public URL. */
function depsOf(app: Awaited<ReturnType<typeof appWith>>): PreflightDeps {
  return {
    ...createPreflightDeps(app.config, app.stores),
    fetch: undefined,
    probeDingTalkScope: undefined,
    readFailedCallbacks: undefined,
  };
}

it('names the permission the token lacks and the mailbox without an app password', async () => {
  const app = await appWith(['Calendars.ReadWrite', 'Mail.ReadWrite', 'User.Read.All']);
  await createAppPasswordVault(appPasswordVaultAccess(vault.url, 'sandbox', undefined)).write(
    'alice@contoso.example',
    'alice-app-password-1',
  );

  const results = await runPreflight(depsOf(app));
  const byId = Object.fromEntries(results.map((r) => [r.id, r]));

  expect(byId['storage'].ok).toBe(true);
  expect(byId['key-vault'].ok).toBe(true);
  expect(byId['graph-permissions'].ok).toBe(false);
  expect(byId['graph-permissions'].detail).toContain('not granted: Tasks.ReadWrite.All');
  expect(byId['graph-permissions'].fix).toContain('/api/consent');
  expect(byId['mail-app-passwords'].ok).toBe(false);
  expect(byId['mail-app-passwords'].detail).toContain('bob@contoso.example');
  expect(byId['mail-app-passwords'].detail).not.toContain('alice@contoso.example');
  // Both paired users have a mailbox; the Graph batch needs no permission the token lacks here.
  expect(byId['exchange-mailbox']).toMatchObject({ ok: true });
  expect(preflightPassed(results)).toBe(false);
});

it('passes when every permission is granted and every mailbox has its app password', async () => {
  const app = await appWith(SANDBOX_APP.roles);
  const passwords = createAppPasswordVault(appPasswordVaultAccess(vault.url, 'sandbox', undefined));
  await passwords.write('alice@contoso.example', 'alice-app-password-1');
  await passwords.write('bob@contoso.example', 'bob-app-password-1');

  const results = await runPreflight(depsOf(app));

  expect(results.filter((r) => r.ok !== true)).toEqual([]);
  // Sandbox mode uses the http URL as it is.
  expect(results.filter((r) => r.skipped).map((r) => r.id)).toEqual([
    'public-url',
    'graph-validation',
    'dingtalk-scopes',
    'dingtalk-callback',
    'dingtalk-callback-deliveries',
  ]);
  expect(preflightPassed(results)).toBe(true);
});
