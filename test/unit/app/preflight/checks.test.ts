import { checkExchangeMailboxes } from '../../../../shared/app/preflight/exchange-mailbox';
import { checkGraphPermissions, rolesOfToken } from '../../../../shared/app/preflight/graph-permissions';
import { checkKeyVault } from '../../../../shared/app/preflight/key-vault';
import { checkMailAppPasswords } from '../../../../shared/app/preflight/mail-app-passwords';
import { checkPublicUrl } from '../../../../shared/app/preflight/public-url';
import { checkStorage } from '../../../../shared/app/preflight/storage';
import { formatPreflightLine } from '../../../../shared/app/preflight/format';
import { preflightPassed, runPreflight } from '../../../../shared/app/preflight';
import type { MailboxAnswer, MailboxTarget } from '../../../../shared/app/preflight/mailbox-batch';
import type { AppPasswordListing } from '../../../../shared/app/mail/app-password-vault';
import type { UserPair } from '../../../../shared/store/types';

/** An unsigned JWT with these claims: the checks only read the payload. */
function tokenWith(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.sig`;
}

function pair(n: number, overrides: Partial<UserPair> = {}): UserPair {
  return {
    pairId: `pair-${n}`,
    dingtalkUserId: `dt-${n}`,
    dingtalkUnionId: `union-${n}`,
    entraId: `entra-${n}`,
    userPrincipalName: `user${n}@contoso.example`,
    email: `user${n}@contoso.example`,
    status: 'active',
    enabledKinds: ['calendar', 'mail'],
    pairedBy: 'email',
    ...overrides,
  };
}

function vaultOf(listings: AppPasswordListing[] | Error) {
  let read = 0;
  return {
    get read() {
      return read;
    },
    async *list(): AsyncIterable<AppPasswordListing> {
      if (listings instanceof Error) throw listings;
      for (const l of listings) {
        read++;
        yield l;
      }
    },
  };
}

const listing = (mailbox: string, enabled = true): AppPasswordListing => ({
  secretName: `imap-app-password-${mailbox.replace(/\W/g, '-')}`,
  mailbox,
  enabled,
});

describe('graph permissions', () => {
  const base = 'https://sync.contoso.example';

  it('fails naming each missing permission and the consent page', async () => {
    const result = await checkGraphPermissions({
      kinds: ['calendar', 'todo'],
      publicBaseUrl: base,
      getAccessToken: async () => tokenWith({ roles: ['Calendars.ReadWrite', 'User.Read.All'] }),
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('not granted: Tasks.ReadWrite.All');
    expect(result.detail).not.toContain('not granted: Calendars');
    expect(result.fix).toContain(`${base}/api/consent`);
  });

  it('always needs User.Read.All', async () => {
    const result = await checkGraphPermissions({
      kinds: ['calendar'],
      publicBaseUrl: base,
      getAccessToken: async () => tokenWith({ roles: ['Calendars.ReadWrite'] }),
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('not granted: User.Read.All');
  });

  it('passes when every role the enabled kinds need is in the token', async () => {
    const result = await checkGraphPermissions({
      kinds: ['calendar', 'mail', 'sentmail', 'todo', 'contact'],
      publicBaseUrl: base,
      getAccessToken: async () =>
        tokenWith({
          roles: [
            'Calendars.ReadWrite',
            'Mail.ReadWrite',
            'Tasks.ReadWrite.All',
            'Contacts.ReadWrite',
            'User.Read.All',
            'Mail.Read',
          ],
        }),
    });
    expect(result).toMatchObject({ id: 'graph-permissions', ok: true, fix: '' });
    expect(result.detail).toContain('Tasks.ReadWrite.All');
  });

  it('a token without roles (no consent at all) misses everything', async () => {
    const result = await checkGraphPermissions({
      kinds: ['contact'],
      publicBaseUrl: base,
      getAccessToken: async () => tokenWith({ appid: 'x' }),
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('not granted: Contacts.ReadWrite, User.Read.All');
  });

  it('says so when no token could be had', async () => {
    const result = await checkGraphPermissions({
      kinds: ['calendar'],
      publicBaseUrl: base,
      getAccessToken: async () => {
        throw new Error('token request refused (invalid_client: AADSTS7000215 bad secret)');
      },
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('AADSTS7000215');
    expect(result.fix).toContain('GRAPH_CLIENT_ID');
  });

  it('refuses a token that is not a JWT', () => {
    expect(() => rolesOfToken('opaque')).toThrow('not a JWT');
    expect(rolesOfToken(tokenWith({ roles: ['A', 3, 'B'] }))).toEqual(['A', 'B']);
  });
});

describe('storage', () => {
  it('passes when the pairs table reads', async () => {
    const result = await checkStorage({ readPairs: async () => [pair(1), pair(2)] });
    expect(result).toMatchObject({ ok: true });
    expect(result.detail).toContain('2 rows');
  });

  it('fails with the role to grant on 403', async () => {
    const result = await checkStorage({
      readPairs: async () => {
        throw Object.assign(new Error('AuthorizationPermissionMismatch'), { statusCode: 403 });
      },
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('403: AuthorizationPermissionMismatch');
    expect(result.fix).toContain('Storage Table Data Contributor');
  });

  it('fails with the connection settings to check when unreachable', async () => {
    const result = await checkStorage({
      readPairs: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:10002');
      },
    });
    expect(result.ok).toBe(false);
    expect(result.fix).toContain('AzureWebJobsStorage');
  });
});

describe('key vault', () => {
  it('is skipped without KEY_VAULT_URL', async () => {
    const result = await checkKeyVault({});
    expect(result).toMatchObject({ ok: true, skipped: true });
  });

  it('reads one name only', async () => {
    const vault = vaultOf([listing('a@contoso.example'), listing('b@contoso.example')]);
    const result = await checkKeyVault({ keyVaultUrl: 'https://kv.vault.azure.net', vault });
    expect(result.ok).toBe(true);
    expect(vault.read).toBe(1);
  });

  it('fails with the role to grant on 403', async () => {
    const result = await checkKeyVault({
      keyVaultUrl: 'https://kv.vault.azure.net',
      vault: vaultOf(Object.assign(new Error('Forbidden'), { statusCode: 403 })),
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('https://kv.vault.azure.net');
    expect(result.fix).toContain('Key Vault Secrets User');
  });
});

describe('public URL', () => {
  it('fails an http URL in live mode', () => {
    const result = checkPublicUrl({ mode: 'live', publicBaseUrl: 'http://sync.contoso.example' });
    expect(result.ok).toBe(false);
    expect(result.fix).toContain('PUBLIC_BASE_URL');
  });

  it('passes https in live mode', () => {
    expect(checkPublicUrl({ mode: 'live', publicBaseUrl: 'https://sync.contoso.example' }).ok).toBe(true);
  });

  it('is skipped in sandbox mode', () => {
    const result = checkPublicUrl({ mode: 'sandbox', publicBaseUrl: 'http://127.0.0.1:7071' });
    expect(result).toMatchObject({ ok: true, skipped: true });
  });

  it('fails something that is not a URL', () => {
    expect(checkPublicUrl({ mode: 'live', publicBaseUrl: 'sync' }).ok).toBe(false);
  });
});

describe('mail app passwords', () => {
  const keyVaultUrl = 'https://kv.vault.azure.net';

  it('is skipped when mail is not enabled', async () => {
    const result = await checkMailAppPasswords({ kinds: ['calendar'], pairs: [pair(1)] });
    expect(result).toMatchObject({ ok: true, skipped: true });
  });

  it('fails when mail is enabled without a vault', async () => {
    const result = await checkMailAppPasswords({ kinds: ['mail'], pairs: [pair(1)] });
    expect(result.ok).toBe(false);
    expect(result.fix).toContain('KEY_VAULT_URL');
  });

  it('counts the mailboxes without a password and names the first few', async () => {
    const pairs = Array.from({ length: 9 }, (_, i) => pair(i + 1));
    pairs.push(pair(20, { status: 'left' }), pair(21, { enabledKinds: ['calendar'] }));
    const result = await checkMailAppPasswords({
      kinds: ['calendar', 'mail'],
      keyVaultUrl,
      pairs,
      // One stored, one disabled (the admin switched it off): it counts as missing.
      vault: vaultOf([listing('USER1@contoso.example'), listing('user2@contoso.example', false)]),
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('8 mailboxes of 9 syncing mail have no app password');
    expect(result.detail).toContain('user2@contoso.example, user3@contoso.example');
    expect(result.detail).toContain('and 3 more');
    expect(result.detail).not.toContain('user1@');
    expect(result.detail).not.toContain('user20@');
    expect(result.detail).not.toContain('user21@');
    expect(result.fix).toContain('npm run mail:app-passwords');
  });

  it('counts sent-mail-only pairs as syncing mail', async () => {
    const result = await checkMailAppPasswords({
      kinds: ['sentmail'],
      keyVaultUrl,
      pairs: [pair(1, { enabledKinds: ['sentmail'] })],
      vault: vaultOf([]),
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('1 mailbox of 1 syncing mail has no app password: user1@contoso.example');
  });

  it('passes when every mailbox has one', async () => {
    const result = await checkMailAppPasswords({
      kinds: ['mail'],
      keyVaultUrl,
      pairs: [pair(1), pair(2)],
      vault: vaultOf([listing('user1@contoso.example'), listing('user2@contoso.example')]),
    });
    expect(result.ok).toBe(true);
    expect(result.detail).toContain('all 2 mailboxes');
  });
});

describe('Exchange Online mailboxes', () => {
  /** A batch probe answering from a table of entra ids; records each batch it was given. */
  function probeOf(answers: Record<string, MailboxAnswer>, batches: MailboxTarget[][] = []) {
    return async (targets: readonly MailboxTarget[]): Promise<MailboxAnswer[]> => {
      batches.push([...targets]);
      return targets.map((t) => answers[t.entraId] ?? { state: 'mailbox' });
    };
  }

  it('is skipped without a Graph to ask', async () => {
    const result = await checkExchangeMailboxes({ pairs: [pair(1)] });
    expect(result).toMatchObject({ ok: true, skipped: true });
  });

  it('asks every active pair syncing calendar or mail, 20 to a batch, and names those without a mailbox', async () => {
    const batches: MailboxTarget[][] = [];
    const pairs = [
      pair(0, { status: 'disabled' }),
      pair(99, { enabledKinds: ['todo'] }),
      pair(98, { enabledKinds: ['mail'] }),
      ...Array.from({ length: 45 }, (_, i) => pair(i + 1)),
    ];
    const result = await checkExchangeMailboxes({
      pairs,
      probeBatch: probeOf(
        { 'entra-3': { state: 'no-mailbox', code: 'MailboxNotEnabledForRESTAPI' } },
        batches,
      ),
    });
    const asked = batches.flat();
    expect(batches.map((b) => b.length)).toEqual([20, 20, 6]);
    expect(asked).toHaveLength(46);
    expect(asked.map((t) => t.entraId)).not.toContain('entra-0');
    expect(asked.map((t) => t.entraId)).not.toContain('entra-99');
    expect(asked.find((t) => t.entraId === 'entra-98')?.resource).toBe('inbox');
    expect(asked.find((t) => t.entraId === 'entra-1')?.resource).toBe('calendar');
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('checked 46 of 46 active pairs syncing calendar or mail');
    expect(result.detail).toContain('1 has no Exchange Online mailbox');
    expect(result.detail).toContain('user3@contoso.example');
    expect(result.fix).toContain('Exchange Online licence');
  });

  it('says how many it checked when the time cap stops it', async () => {
    let clock = 0;
    const result = await checkExchangeMailboxes({
      pairs: Array.from({ length: 200 }, (_, i) => pair(i + 1)),
      deadlineMs: 1000,
      now: () => clock,
      probeBatch: async (targets) => {
        await Promise.resolve();
        clock += 600;
        return targets.map(() => ({ state: 'mailbox' }) as const);
      },
    });
    expect(result.ok).toBe('warn');
    // Four batches start at once (t = 0); each moves the clock on, so no fifth one starts.
    expect(result.detail).toContain('checked 80 of 200 active pairs');
    expect(result.detail).toContain('time cap');
  });

  it('warns when some could not be checked', async () => {
    const result = await checkExchangeMailboxes({
      pairs: [pair(1), pair(2)],
      probeBatch: probeOf({ 'entra-2': { state: 'unknown', reason: '503 ServiceUnavailable' } }),
    });
    expect(result.ok).toBe('warn');
    expect(result.detail).toContain('checked 1 of 2');
    expect(result.detail).toContain('503');
    expect(result.detail).toContain('user2@contoso.example');
  });

  it('passes when every user has a mailbox', async () => {
    const result = await checkExchangeMailboxes({ pairs: [pair(1)], probeBatch: probeOf({}) });
    expect(result.ok).toBe(true);
    expect(result.detail).toContain('checked 1 of 1 active pair');
  });
});

describe('runPreflight', () => {
  it('runs every check once and fails when one fails', async () => {
    let pairReads = 0;
    const results = await runPreflight({
      config: { mode: 'live', kinds: ['calendar'], publicBaseUrl: 'https://sync.contoso.example' },
      getAccessToken: async () => tokenWith({ roles: ['Calendars.ReadWrite'] }),
      readPairs: async () => {
        pairReads++;
        return [pair(1)];
      },
      probeMailboxes: async (targets) => targets.map(() => ({ state: 'mailbox' as const })),
    });
    expect(results.map((r) => r.id)).toEqual([
      'public-url',
      'graph-validation',
      'storage',
      'key-vault',
      'graph-permissions',
      'exchange-mailbox',
      'dingtalk-scopes',
      'dingtalk-callback',
      'dingtalk-callback-deliveries',
      'mail-app-passwords',
    ]);
    expect(pairReads).toBe(1);
    expect(results.find((r) => r.id === 'graph-permissions')?.ok).toBe(false);
    expect(preflightPassed(results)).toBe(false);
  });

  it('a calendar permission missing from the token while the calendars answer reads as RBAC for Applications', async () => {
    const results = await runPreflight({
      config: { mode: 'live', kinds: ['calendar'], publicBaseUrl: 'https://sync.contoso.example' },
      getAccessToken: async () => tokenWith({ roles: ['User.Read.All'] }),
      readPairs: async () => [pair(1), pair(2)],
      probeMailboxes: async (targets) => targets.map(() => ({ state: 'mailbox' as const })),
    });
    const permissions = results.find((r) => r.id === 'graph-permissions')!;
    expect(permissions.ok).toBe('warn');
    expect(permissions.detail).toContain(
      'not granted in Entra: Calendars.ReadWrite; yet 2 mailboxes answered',
    );
    expect(results.find((r) => r.id === 'graph-permissions')?.fix).toContain(
      'Test-ServicePrincipalAuthorization',
    );
  });

  it('reports a storage failure once, and the pair checks work on no pairs', async () => {
    const results = await runPreflight({
      config: { mode: 'live', kinds: ['calendar'], publicBaseUrl: 'https://sync.contoso.example' },
      getAccessToken: async () => tokenWith({ roles: ['Calendars.ReadWrite', 'User.Read.All'] }),
      readPairs: async () => {
        throw new Error('connect ECONNREFUSED');
      },
      probeMailboxes: async (targets) => targets.map(() => ({ state: 'mailbox' as const })),
    });
    expect(results.filter((r) => r.ok === false).map((r) => r.id)).toEqual(['storage']);
    expect(results.find((r) => r.id === 'exchange-mailbox')?.ok).toBe('warn');
  });

  it('passes with warnings and skips', () => {
    expect(
      preflightPassed([
        { id: 'a', ok: true, title: 'A', detail: '', fix: '' },
        { id: 'b', ok: 'warn', title: 'B', detail: '', fix: '' },
      ]),
    ).toBe(true);
  });
});

describe('formatPreflightLine', () => {
  it('marks each outcome and adds the fix', () => {
    expect(formatPreflightLine({ id: 'a', ok: true, title: 'A', detail: 'fine', fix: '' })).toBe('✓ A: fine');
    expect(formatPreflightLine({ id: 'b', ok: 'warn', title: 'B', detail: 'hm', fix: 'look' })).toBe(
      '! B: hm — fix: look',
    );
    expect(formatPreflightLine({ id: 'c', ok: false, title: 'C', detail: 'bad', fix: 'do x' })).toBe(
      '✗ C: bad — fix: do x',
    );
    expect(
      formatPreflightLine({ id: 'd', ok: true, skipped: true, title: 'D', detail: 'not here', fix: '' }),
    ).toBe('– D: not here');
  });
});
