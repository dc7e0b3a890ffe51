import type { FakeState } from './fake-state';
import type { FakeDepartment, FakeUser } from './org';
import type { FakeRequest, Route } from './routing';
import { errors, FakeApiError, requestId } from './wire-errors';

/**
 * The oapi contact APIs (DingTalk's documentation): department children (ids, or ids with names), one department,
 * member ids, paged member details (cursor/size ≤ 100, current department only), one user by userid, and
 * unionid → userid. The root department (1) is named after the organisation.
 */
export function directoryRoutes(state: FakeState): Route[] {
  const { org } = state;
  const route = (template: string, handle: (body: Record<string, unknown>) => unknown): Route => ({
    family: 'oapi',
    operation: template,
    method: 'POST',
    template,
    auth: true,
    handle: (req) => ({ status: 200, body: ok(handle(bodyOf(req))) }),
  });
  const department = (body: Record<string, unknown>): number => {
    const deptId = Number(body.dept_id);
    if (!Number.isInteger(deptId)) throw errors.invalidParameter('dept_id');
    if (!org.hasDepartment(deptId))
      throw new FakeApiError({ status: 400, code: 'deptNotExist' }, { errcode: 60003 }, '部门不存在');
    return deptId;
  };
  return [
    route('/topapi/v2/department/listsubid', (body) => ({ dept_id_list: org.childrenOf(department(body)) })),
    route('/topapi/v2/department/listsub', (body) =>
      org.childrenOf(department(body)).map((id) => departmentView(org.department(id)!)),
    ),
    route('/topapi/v2/department/get', (body) => departmentView(org.department(department(body))!)),
    route('/topapi/user/listid', (body) => ({
      userid_list: org.membersOf(department(body)).map((u) => u.userid),
    })),
    route('/topapi/v2/user/list', (body) => {
      const members = org.membersOf(department(body));
      const cursor = Number(body.cursor ?? 0);
      const size = Number(body.size);
      if (!Number.isInteger(cursor) || cursor < 0) throw errors.invalidParameter('cursor');
      if (!Number.isInteger(size) || size < 1 || size > 100)
        throw errors.invalidParameter('size must be 1..100');
      const page = members.slice(cursor, cursor + size);
      const hasMore = cursor + size < members.length;
      return {
        has_more: hasMore,
        ...(hasMore ? { next_cursor: cursor + size } : {}),
        list: page.map(userView),
      };
    }),
    route('/topapi/v2/user/get', (body) => {
      const user = typeof body.userid === 'string' ? org.user(body.userid) : undefined;
      if (!user) throw userNotFound();
      return userView(user);
    }),
    route('/topapi/user/getbyunionid', (body) => {
      const user = typeof body.unionid === 'string' ? org.byUnionId(body.unionid) : undefined;
      if (!user) throw userNotFound();
      return { userid: user.userid };
    }),
  ];
}

/** The fields listsub and get share (DingTalk's documentation lists more, which the fake has no use for). */
function departmentView(d: FakeDepartment): Record<string, unknown> {
  return { dept_id: d.dept_id, name: d.name, parent_id: d.parent_id };
}

function bodyOf(req: FakeRequest): Record<string, unknown> {
  if (typeof req.json !== 'object' || req.json === null) throw errors.invalidParameter('body must be JSON');
  return req.json as Record<string, unknown>;
}

const ok = (result: unknown) => ({ errcode: 0, errmsg: 'ok', result, request_id: requestId() });

function userNotFound(): FakeApiError {
  return new FakeApiError({ status: 400, code: 'userNotExist' }, { errcode: 60121 }, '找不到该用户');
}

/** The user object of topapi/v2/user/get (field list as DingTalk documents it); list items carry the same fields. */
export function userView(u: FakeUser): Record<string, unknown> {
  const view: Record<string, unknown> = {
    userid: u.userid,
    unionid: u.unionid,
    name: u.name,
    avatar: '',
    state_code: '86',
    hide_mobile: false,
    telephone: '',
    job_number: u.job_number ?? '',
    title: u.title ?? '',
    work_place: '',
    remark: '',
    exclusive_account: false,
    dept_id_list: u.dept_id_list,
    dept_order_list: u.dept_id_list.map((dept_id) => ({ dept_id, order: 0 })),
    extension: '{}',
    active: u.active,
    real_authed: true,
    senior: false,
    admin: u.admin,
    boss: false,
    leader_in_dept: u.dept_id_list.map((dept_id) => ({ dept_id, leader: false })),
  };
  if (u.mobile) view.mobile = u.mobile;
  if (u.email) view.email = u.email;
  if (u.org_email) {
    view.org_email = u.org_email;
    view.org_email_type = u.org_email_type ?? 'profession';
  }
  return view;
}
