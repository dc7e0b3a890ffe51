import type { GraphApi } from './http-client';
import type { GraphCollection, GraphUser } from './wire-types';

/** Entra users of the tenant, with every address pairing may match on. */

export interface DirectoryUser {
  id: string;
  displayName?: string;
  userPrincipalName: string;
  mail?: string;
  proxyAddresses: string[];
  accountEnabled?: boolean;
}

const SELECT = 'id,displayName,mail,userPrincipalName,proxyAddresses,accountEnabled';

export class GraphUsersApi {
  constructor(
    private readonly api: GraphApi,
    private readonly pageSize = 999,
  ) {}

  async listAll(): Promise<DirectoryUser[]> {
    const users: DirectoryUser[] = [];
    let next: string | undefined = `/users?$select=${SELECT}&$top=${this.pageSize}`;
    while (next) {
      const page: GraphCollection<GraphUser> = await this.api.get(next, { what: 'list users' });
      users.push(...page.value.map(toDirectoryUser));
      next = page['@odata.nextLink'];
    }
    return users;
  }

  async get(idOrUpn: string): Promise<DirectoryUser> {
    const user = await this.api.get<GraphUser>(`/users/${encodeURIComponent(idOrUpn)}?$select=${SELECT}`, {
      what: 'get user',
    });
    return toDirectoryUser(user);
  }
}

function toDirectoryUser(u: GraphUser): DirectoryUser {
  return {
    id: u.id,
    displayName: u.displayName ?? undefined,
    userPrincipalName: u.userPrincipalName ?? '',
    mail: u.mail ?? undefined,
    proxyAddresses: u.proxyAddresses ?? [],
    accountEnabled: u.accountEnabled,
  };
}

/** Every e-mail address of a user, lower-cased: mail, UPN and the SMTP proxy addresses ("SMTP:" primary, "smtp:" alias). */
export function emailAddressesOf(u: DirectoryUser): string[] {
  const out = new Set<string>();
  if (u.mail) out.add(u.mail.toLowerCase());
  if (u.userPrincipalName.includes('@')) out.add(u.userPrincipalName.toLowerCase());
  for (const p of u.proxyAddresses) {
    const m = /^smtp:(.+)$/i.exec(p);
    if (m) out.add(m[1].toLowerCase());
  }
  return [...out];
}
