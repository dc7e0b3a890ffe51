import { NotFoundRemoteError } from '../../sync/types';
import type { DingTalkHttpClient } from './http-client';

/**
 * The org directory, read through the oapi contact APIs (DingTalk's documentation). These are exempt from the
 * monthly quota, but each is still limited to 20 QPS, which the client enforces.
 */

export interface DirectoryUser {
  userid: string;
  unionid: string;
  name: string;
  email?: string;
  org_email?: string;
  active: boolean;
  title?: string;
  /** The number without its country code (state_code). */
  mobile?: string;
  stateCode?: string;
  /** The person hid their number from colleagues (号码隐藏). */
  hideMobile?: boolean;
  /** The departments the person is a direct member of. */
  deptIds?: number[];
}

/** A department as topapi/v2/department/listsub lists it. */
export interface DirectoryDepartment {
  deptId: number;
  name: string;
  parentId: number;
}

interface WireUser {
  userid: string;
  unionid: string;
  name: string;
  email?: string;
  org_email?: string;
  active?: boolean;
  title?: string;
  mobile?: string;
  state_code?: string;
  hide_mobile?: boolean;
  dept_id_list?: number[];
}

interface WireDepartment {
  dept_id: number;
  name: string;
  parent_id: number;
}

interface Envelope<R> {
  errcode: number;
  errmsg?: string;
  result: R;
}

const ROOT_DEPARTMENT = 1;
const PAGE_SIZE = 100;

export class DingTalkDirectory {
  constructor(private readonly client: DingTalkHttpClient) {}

  /** Every member of the org once, walking the department tree from the root and paging each department. */
  async listAllUsers(): Promise<DirectoryUser[]> {
    const users = new Map<string, DirectoryUser>();
    for (const deptId of await this.allDepartmentIds()) {
      for (const user of await this.usersOf(deptId)) users.set(user.userid, user);
    }
    return [...users.values()];
  }

  /** Every department below the root, with names, walking the tree one level per listsub call. */
  async listDepartments(): Promise<DirectoryDepartment[]> {
    return this.walkDepartments(async (parent) => {
      const reply = await this.client.oapi<Envelope<WireDepartment[]>>('/topapi/v2/department/listsub', {
        dept_id: parent,
        language: 'zh_CN',
      });
      return (reply.result ?? []).map((d) => ({ deptId: d.dept_id, name: d.name, parentId: d.parent_id }));
    });
  }

  /** One department's name (topapi/v2/department/get); the root department carries the organisation's name. */
  async departmentName(deptId: number = ROOT_DEPARTMENT): Promise<string | undefined> {
    try {
      const reply = await this.client.oapi<Envelope<WireDepartment>>('/topapi/v2/department/get', {
        dept_id: deptId,
        language: 'zh_CN',
      });
      return reply.result.name || undefined;
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  /** The direct members of one department, every page. */
  membersOf(deptId: number): Promise<DirectoryUser[]> {
    return this.usersOf(deptId);
  }

  async getUser(userid: string): Promise<DirectoryUser | undefined> {
    try {
      const reply = await this.client.oapi<Envelope<WireUser>>('/topapi/v2/user/get', {
        userid,
        language: 'zh_CN',
      });
      return toDirectoryUser(reply.result);
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  async userIdOfUnionId(unionid: string): Promise<string | undefined> {
    try {
      const reply = await this.client.oapi<Envelope<{ userid: string }>>('/topapi/user/getbyunionid', {
        unionid,
      });
      return reply.result.userid;
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  private async allDepartmentIds(): Promise<number[]> {
    const below = await this.walkDepartments(async (parent) => {
      const reply = await this.client.oapi<Envelope<{ dept_id_list: number[] }>>(
        '/topapi/v2/department/listsubid',
        { dept_id: parent },
      );
      return (reply.result.dept_id_list ?? []).map((deptId) => ({ deptId }));
    });
    return [ROOT_DEPARTMENT, ...below.map((d) => d.deptId)];
  }

  /** The tree below the root, breadth first, one call per department for its children; each department once. */
  private async walkDepartments<D extends { deptId: number }>(
    childrenOf: (parent: number) => Promise<D[]>,
  ): Promise<D[]> {
    const out: D[] = [];
    const seen = new Set<number>([ROOT_DEPARTMENT]);
    const queue = [ROOT_DEPARTMENT];
    while (queue.length > 0) {
      for (const child of await childrenOf(queue.shift()!)) {
        if (seen.has(child.deptId)) continue;
        seen.add(child.deptId);
        queue.push(child.deptId);
        out.push(child);
      }
    }
    return out;
  }

  private async usersOf(deptId: number): Promise<DirectoryUser[]> {
    const users: DirectoryUser[] = [];
    let cursor = 0;
    for (;;) {
      const reply = await this.client.oapi<
        Envelope<{ has_more: boolean; next_cursor?: number; list: WireUser[] }>
      >('/topapi/v2/user/list', {
        dept_id: deptId,
        cursor,
        size: PAGE_SIZE,
        contain_access_limit: false,
        language: 'zh_CN',
      });
      users.push(...(reply.result.list ?? []).map(toDirectoryUser));
      if (!reply.result.has_more || reply.result.next_cursor === undefined) return users;
      cursor = reply.result.next_cursor;
    }
  }
}

function toDirectoryUser(u: WireUser): DirectoryUser {
  return {
    userid: u.userid,
    unionid: u.unionid,
    name: u.name,
    email: u.email || undefined,
    org_email: u.org_email || undefined,
    active: u.active !== false,
    title: u.title || undefined,
    mobile: u.mobile || undefined,
    stateCode: u.state_code || undefined,
    hideMobile: u.hide_mobile === true,
    deptIds: u.dept_id_list ?? [],
  };
}
