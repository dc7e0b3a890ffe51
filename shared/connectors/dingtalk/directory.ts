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
}

interface WireUser {
  userid: string;
  unionid: string;
  name: string;
  email?: string;
  org_email?: string;
  active?: boolean;
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
    const seen = new Set<number>([ROOT_DEPARTMENT]);
    const queue = [ROOT_DEPARTMENT];
    while (queue.length > 0) {
      const parent = queue.shift()!;
      const reply = await this.client.oapi<Envelope<{ dept_id_list: number[] }>>(
        '/topapi/v2/department/listsubid',
        {
          dept_id: parent,
        },
      );
      for (const child of reply.result.dept_id_list ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        queue.push(child);
      }
    }
    return [...seen];
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
  };
}
