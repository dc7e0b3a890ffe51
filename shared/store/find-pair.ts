import type { UserPair } from './types';

/**
 * The pair an admin names: by its pair id (the Entra object id; one point read), or by an e-mail address or UPN,
 * matched without regard to case by one walk of the users table (the table has no address index; an admin's
 * lookup is rare, never on a per-minute path).
 */
export async function findPairByIdOrAddress(
  users: { get(pairId: string): Promise<UserPair | undefined>; list(): Promise<UserPair[]> },
  idOrAddress: string,
): Promise<UserPair | undefined> {
  if (!idOrAddress.includes('@')) return users.get(idOrAddress);
  const address = idOrAddress.toLowerCase();
  return (await users.list()).find(
    (p) => p.email.toLowerCase() === address || p.userPrincipalName.toLowerCase() === address,
  );
}
