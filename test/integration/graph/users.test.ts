import { GraphUsersApi, emailAddressesOf } from '../../../shared/connectors/graph/directory';
import { NotFoundRemoteError, PermanentRemoteError } from '../../../shared/sync/types';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import { failureOf } from '../../support/graph/loose';

let h: GraphHarness;

beforeEach(async () => {
  h = await startGraphHarness();
  for (let i = 0; i < 6; i++) {
    h.fake.control.addUser({
      userPrincipalName: `user${i}@contoso.example`,
      mail: i === 3 ? null : `User${i}@Contoso.example`,
      proxyAddresses: [`SMTP:User${i}@Contoso.example`, `smtp:u${i}@contoso.cn`, 'X500:/o=Exchange/cn=x'],
    });
  }
});
afterEach(() => h.stop());

describe('users', () => {
  test('listAll follows @odata.nextLink across pages and returns the pairing addresses', async () => {
    const users = await new GraphUsersApi(h.connector.api, 2).listAll();
    expect(users).toHaveLength(7);
    const pages = h.fake.control.requests.filter((r) => r.path === '/v1.0/users');
    expect(pages).toHaveLength(4);
    expect(pages[1].query).toMatch(/^\?\$select=.+&\$top=2&\$skiptoken=/);
    const u1 = users.find((u) => u.userPrincipalName === 'user1@contoso.example')!;
    expect(emailAddressesOf(u1)).toEqual(['user1@contoso.example', 'u1@contoso.cn']);
    expect(users.find((u) => u.userPrincipalName === 'user3@contoso.example')!.mail).toBeUndefined();
  });

  test('default properties leave proxyAddresses out; $select brings them', async () => {
    const plain = await h.connector.api.get<{ value: Record<string, unknown>[] }>('/users');
    expect(plain.value[0]).not.toHaveProperty('proxyAddresses');
    expect(plain.value[0]).toHaveProperty('userPrincipalName');
    const one = await h.connector.users.get('user2@contoso.example');
    expect(one.proxyAddresses).toContain('smtp:u2@contoso.cn');
  });

  test('unknown user → not found; missing permission → permanent 403', async () => {
    await expect(h.connector.users.get('ghost@contoso.example')).rejects.toBeInstanceOf(NotFoundRemoteError);
    h.fake.control.registerApp({
      clientId: 'sandbox-client',
      clientSecret: 'sandbox-graph-secret',
      roles: ['Calendars.ReadWrite'],
    });
    h.connector.tokenProvider.invalidate();
    const err = await failureOf(h.connector.users.listAll());
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.status).toBe(403);
  });
});
