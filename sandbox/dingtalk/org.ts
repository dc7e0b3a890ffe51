import { randomBytes } from 'node:crypto';

/** The fake org: a department tree rooted at 1 and its members, seeded and changed through the control API. */

export interface FakeUser {
  userid: string;
  unionid: string;
  name: string;
  email?: string;
  org_email?: string;
  org_email_type?: 'profession' | 'base';
  mobile?: string;
  title?: string;
  job_number?: string;
  dept_id_list: number[];
  active: boolean;
  admin: boolean;
}

export type UserSeed = Partial<FakeUser> & { name: string };

export interface FakeDepartment {
  dept_id: number;
  parent_id: number;
  name: string;
}

export const ROOT_DEPT = 1;

let userCounter = 0;

export function newUnionId(): string {
  return `${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}iEiE`;
}

export class OrgStore {
  private readonly departments = new Map<number, FakeDepartment>([
    [ROOT_DEPT, { dept_id: 1, parent_id: 0, name: 'Org' }],
  ]);
  private readonly users = new Map<string, FakeUser>();

  addDepartment(d: FakeDepartment): FakeDepartment {
    if (!this.departments.has(d.parent_id))
      throw new Error(`parent department ${d.parent_id} does not exist`);
    if (this.departments.has(d.dept_id)) throw new Error(`department ${d.dept_id} exists`);
    this.departments.set(d.dept_id, { ...d });
    return { ...d };
  }

  addUser(seed: UserSeed): FakeUser {
    const user: FakeUser = {
      userid: seed.userid ?? `user${String(++userCounter).padStart(5, '0')}`,
      unionid: seed.unionid ?? newUnionId(),
      name: seed.name,
      email: seed.email,
      org_email: seed.org_email,
      org_email_type: seed.org_email ? (seed.org_email_type ?? 'profession') : undefined,
      mobile: seed.mobile,
      title: seed.title,
      job_number: seed.job_number,
      dept_id_list: seed.dept_id_list ?? [ROOT_DEPT],
      active: seed.active ?? true,
      admin: seed.admin ?? false,
    };
    if (this.users.has(user.userid)) throw new Error(`userid ${user.userid} exists`);
    if (this.byUnionId(user.unionid)) throw new Error(`unionid ${user.unionid} exists`);
    for (const dept of user.dept_id_list) {
      if (!this.departments.has(dept)) throw new Error(`department ${dept} does not exist`);
    }
    this.users.set(user.userid, user);
    return { ...user };
  }

  modifyUser(userid: string, patch: Partial<UserSeed>): FakeUser {
    const user = this.users.get(userid);
    if (!user) throw new Error(`no user ${userid}`);
    const { userid: _ignoredId, unionid: _ignoredUnion, ...rest } = patch;
    Object.assign(user, rest);
    return { ...user };
  }

  removeUser(userid: string): FakeUser {
    const user = this.users.get(userid);
    if (!user) throw new Error(`no user ${userid}`);
    this.users.delete(userid);
    return user;
  }

  user(userid: string): FakeUser | undefined {
    return this.users.get(userid);
  }

  byUnionId(unionid: string): FakeUser | undefined {
    return [...this.users.values()].find((u) => u.unionid === unionid);
  }

  allUsers(): FakeUser[] {
    return [...this.users.values()].map((u) => ({ ...u }));
  }

  department(deptId: number): FakeDepartment | undefined {
    const d = this.departments.get(deptId);
    return d && { ...d };
  }

  hasDepartment(deptId: number): boolean {
    return this.departments.has(deptId);
  }

  childrenOf(deptId: number): number[] {
    return [...this.departments.values()].filter((d) => d.parent_id === deptId).map((d) => d.dept_id);
  }

  /** Direct members only, in a stable order (the list API pages over it). */
  membersOf(deptId: number): FakeUser[] {
    return [...this.users.values()]
      .filter((u) => u.dept_id_list.includes(deptId))
      .sort((a, b) => a.userid.localeCompare(b.userid));
  }
}
