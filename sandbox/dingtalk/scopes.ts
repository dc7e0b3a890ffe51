import { type Family, type FakeResponse, requestId } from './wire-errors';

/**
 * The API permissions (权限点, "scopes") an internal app is granted in the developer console, and the permission
 * each API the fake serves needs (DingTalk's API pages name it under 权限; docs/dingtalk.md §1). Every permission is
 * granted unless a test withholds it. A call without its permission is refused after the token, QPS and quota
 * gates, in each family's documented shape:
 *
 *   v1.0  HTTP 403 {"code":"Forbidden.AccessDenied.AccessTokenPermissionDenied","requestid","message",
 *                   "accessdenieddetail":{"requiredScopes":[scope]}}            (casdoor/casdoor PR #4469)
 *   oapi  HTTP 200 {"errcode":60011,"errmsg":"没有调用该接口的权限，…","request_id"}
 *                                                       (capricornxl/ad-password-self-service#13)
 */

export const PERMISSION_DENIED_CODE = 'Forbidden.AccessDenied.AccessTokenPermissionDenied';
export const PERMISSION_DENIED_ERRCODE = 60011;
export const PERMISSION_DENIED_MESSAGE =
  '没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp-server/add-api-permission';

const READ_POSTS = /\/(list|query)$/;

/** The permission an API needs; undefined for the token endpoints and what the fake does not gate. */
export function requiredScope(method: string, template: string): string | undefined {
  if (template.startsWith('/v1.0/calendar/')) {
    return method === 'GET' ? 'Calendar.Event.Read' : 'Calendar.Event.Write';
  }
  if (template.startsWith('/v1.0/todo/')) {
    return method === 'GET' || READ_POSTS.test(template) ? 'Todo.Todo.Read' : 'Todo.Todo.Write';
  }
  if (template.startsWith('/topapi/v2/department/')) return 'qyapi_get_department_list';
  if (template === '/topapi/v2/user/list' || template === '/topapi/user/listid') {
    return 'qyapi_get_department_member';
  }
  if (template.startsWith('/topapi/v2/user/') || template.startsWith('/topapi/user/'))
    return 'qyapi_get_member';
  if (template.startsWith('/topapi/extcontact/')) {
    return /\/(list|get|listlabelgroups)$/.test(template) ? 'qyapi_ext_read' : 'qyapi_ext_write';
  }
  return undefined;
}

/** The permissions the console has not granted the app (everything else is granted). */
export class ScopeGrants {
  readonly withheld = new Set<string>();

  /** The refusal for a call needing `scope`, or undefined when the app holds it. */
  refusal(family: Family, scope: string | undefined): FakeResponse | undefined {
    if (!scope || !this.withheld.has(scope)) return undefined;
    if (family === 'v1') {
      return {
        status: 403,
        body: {
          code: PERMISSION_DENIED_CODE,
          requestid: requestId(),
          message: PERMISSION_DENIED_MESSAGE,
          accessdenieddetail: { requiredScopes: [scope] },
        },
      };
    }
    return {
      status: 200,
      body: {
        errcode: PERMISSION_DENIED_ERRCODE,
        errmsg: PERMISSION_DENIED_MESSAGE,
        request_id: requestId(),
      },
    };
  }
}
