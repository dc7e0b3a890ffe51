/**
 * The legacy oapi APIs are not in schemas/dingtalk-api.json, so their field lists are taken from
 * DingTalk's documentation (the token and user APIs).
 */

const USER_FIELDS = [
  'userid',
  'unionid',
  'name',
  'avatar',
  'state_code',
  'mobile',
  'manager_userid',
  'hide_mobile',
  'telephone',
  'job_number',
  'title',
  'email',
  'org_email',
  'org_email_type',
  'work_place',
  'remark',
  'login_id',
  'exclusive_account',
  'exclusive_account_type',
  'dept_id_list',
  'dept_order_list',
  'extension',
  'hired_date',
  'active',
  'real_authed',
  'senior',
  'admin',
  'boss',
  'leader_in_dept',
  'role_list',
  'union_emp_ext',
];

export interface OapiApi {
  request: string[];
  result: string[];
  /** Fields of each element of result.list, when the result pages a list. */
  listItem?: string[];
}

export const OAPI_APIS: Record<string, OapiApi> = {
  '/topapi/v2/department/listsubid': { request: ['dept_id'], result: ['dept_id_list'] },
  '/topapi/user/listid': { request: ['dept_id'], result: ['userid_list'] },
  '/topapi/v2/user/list': {
    request: ['dept_id', 'cursor', 'size', 'order_field', 'contain_access_limit', 'language'],
    result: ['has_more', 'next_cursor', 'list'],
    listItem: USER_FIELDS,
  },
  '/topapi/v2/user/get': { request: ['userid', 'language'], result: USER_FIELDS },
  '/topapi/user/getbyunionid': { request: ['unionid'], result: ['userid'] },
};

export const OAPI_ENVELOPE = ['errcode', 'errmsg', 'result', 'request_id'];
export const GETTOKEN_RESPONSE = ['errcode', 'errmsg', 'access_token', 'expires_in'];
/** §1.2: the SDK gateway reads code, message, requestid and accessdenieddetail from v1.0 errors. */
export const V1_ERROR_FIELDS = ['code', 'message', 'requestid', 'accessdenieddetail'];
export const OAPI_ERROR_FIELDS = ['errcode', 'errmsg', 'request_id'];
