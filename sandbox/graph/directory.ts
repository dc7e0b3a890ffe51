import { newGuid } from './ids';

/** Entra users of the fake tenant. */

export interface FakeUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  proxyAddresses: string[];
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  accountEnabled: boolean;
  /** False: an unlicensed user; mailbox calls answer MailboxNotEnabledForRESTAPI. */
  hasMailbox: boolean;
}

export type NewFakeUser = Partial<FakeUser> & { userPrincipalName: string };

/** Properties Graph returns for a user when no $select is given. */
export const DEFAULT_USER_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

export class Directory {
  private readonly users = new Map<string, FakeUser>();

  add(input: NewFakeUser): FakeUser {
    const upn = input.userPrincipalName;
    const user: FakeUser = {
      id: input.id ?? newGuid(),
      displayName: input.displayName ?? upn.split('@')[0],
      userPrincipalName: upn,
      mail: input.mail === undefined ? upn : input.mail,
      proxyAddresses: input.proxyAddresses ?? [`SMTP:${input.mail ?? upn}`],
      givenName: input.givenName ?? null,
      surname: input.surname ?? null,
      jobTitle: input.jobTitle ?? null,
      accountEnabled: input.accountEnabled ?? true,
      hasMailbox: input.hasMailbox ?? true,
    };
    this.users.set(user.id, user);
    return user;
  }

  /** By object id or UPN, as Graph resolves /users/{id | userPrincipalName}. */
  find(idOrUpn: string): FakeUser | undefined {
    const direct = this.users.get(idOrUpn);
    if (direct) return direct;
    const lower = idOrUpn.toLowerCase();
    for (const u of this.users.values()) if (u.userPrincipalName.toLowerCase() === lower) return u;
    return undefined;
  }

  all(): FakeUser[] {
    return [...this.users.values()];
  }

  remove(id: string): boolean {
    return this.users.delete(id);
  }
}

/** A user as Graph renders it for the selected properties (unknown names are left out). */
export function renderUser(user: FakeUser, select: string[] | undefined): Record<string, unknown> {
  const full: Record<string, unknown> = {
    id: user.id,
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    proxyAddresses: user.proxyAddresses,
    accountEnabled: user.accountEnabled,
  };
  const names = select ?? DEFAULT_USER_PROPERTIES;
  const out: Record<string, unknown> = {};
  for (const name of names) if (name in full) out[name] = full[name];
  return out;
}
