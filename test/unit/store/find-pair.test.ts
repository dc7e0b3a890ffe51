import { findPairByIdOrAddress } from '../../../shared/store/find-pair';
import type { UserPair } from '../../../shared/store/types';

const zhang = {
  pairId: 'entra-zhang',
  email: 'Zhang.Wei@contoso.com',
  userPrincipalName: 'zwei@contoso.onmicrosoft.com',
} as UserPair;

function users() {
  const calls = { get: 0, list: 0 };
  return {
    calls,
    get: async (id: string) => (calls.get++, id === zhang.pairId ? zhang : undefined),
    list: async () => (calls.list++, [zhang]),
  };
}

test('a pair id is one point read; an address, e-mail or UPN in any case, one walk', async () => {
  const byId = users();
  expect(await findPairByIdOrAddress(byId, 'entra-zhang')).toBe(zhang);
  expect(byId.calls).toEqual({ get: 1, list: 0 });
  for (const address of ['zhang.wei@contoso.com', 'ZWEI@contoso.onmicrosoft.com']) {
    const byAddress = users();
    expect(await findPairByIdOrAddress(byAddress, address)).toBe(zhang);
    expect(byAddress.calls).toEqual({ get: 0, list: 1 });
  }
  expect(await findPairByIdOrAddress(users(), 'nobody@contoso.com')).toBeUndefined();
  expect(await findPairByIdOrAddress(users(), 'entra-nobody')).toBeUndefined();
});
