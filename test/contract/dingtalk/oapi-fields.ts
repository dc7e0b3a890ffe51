/**
 * The legacy oapi APIs are not in schemas/dingtalk-api.json, so their field lists are taken from
 * DingTalk's documentation (the token, user and external-contact APIs).
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

/** topapi/v2/department/listsub (a list of these) and topapi/v2/department/get share these. */
const DEPARTMENT_FIELDS = [
  'dept_id',
  'name',
  'parent_id',
  'source_identifier',
  'create_dept_group',
  'auto_add_user',
  'tags',
  'from_union_org',
  'ext',
  'extention',
  'order',
  'dept_group_chat_id',
  'group_contain_sub_dept',
  'org_dept_owner',
  'dept_manager_userid_list',
  'outer_dept',
];

/** OpenExtContact, as the external-contact pages document it (help.dingtalk.io, "外部联系人"). */
export const EXT_CONTACT_FIELDS = [
  'userid',
  'name',
  'mobile',
  'state_code',
  'follower_user_id',
  'label_ids',
  'share_user_ids',
  'share_dept_ids',
  'company_name',
  'title',
  'email',
  'address',
  'remark',
];

/** The `contact` object of extcontact/create and extcontact/update. */
export const EXT_CONTACT_WRITE_FIELDS = ['user_id', ...EXT_CONTACT_FIELDS.filter((f) => f !== 'userid')];

export interface OapiApi {
  request: string[];
  result: string[];
  /** Fields of each element of result.list, when the result pages a list. */
  listItem?: string[];
  /** The answer's top-level fields, where they are not errcode/errmsg/result/request_id. */
  envelope?: string[];
  /** Fields of each element of `results`, for the APIs that answer a bare list. */
  resultsItem?: string[];
  /** Fields of the request's `contact` object (extcontact create/update). */
  contact?: string[];
}

export const OAPI_APIS: Record<string, OapiApi> = {
  '/topapi/v2/department/listsubid': { request: ['dept_id'], result: ['dept_id_list'] },
  '/topapi/v2/department/listsub': { request: ['dept_id', 'language'], result: DEPARTMENT_FIELDS },
  '/topapi/v2/department/get': { request: ['dept_id', 'language'], result: DEPARTMENT_FIELDS },
  '/topapi/user/listid': { request: ['dept_id'], result: ['userid_list'] },
  '/topapi/v2/user/list': {
    request: ['dept_id', 'cursor', 'size', 'order_field', 'contain_access_limit', 'language'],
    result: ['has_more', 'next_cursor', 'list'],
    listItem: USER_FIELDS,
  },
  '/topapi/v2/user/get': { request: ['userid', 'language'], result: USER_FIELDS },
  '/topapi/user/getbyunionid': { request: ['unionid'], result: ['userid'] },
  '/topapi/extcontact/list': {
    request: ['offset', 'size'],
    result: [],
    envelope: ['errcode', 'errmsg', 'results', 'request_id'],
    resultsItem: EXT_CONTACT_FIELDS,
  },
  '/topapi/extcontact/listlabelgroups': {
    request: ['offset', 'size'],
    result: [],
    envelope: ['errcode', 'errmsg', 'results', 'request_id'],
    resultsItem: ['name', 'color', 'labels'],
  },
  '/topapi/extcontact/get': { request: ['user_id'], result: EXT_CONTACT_FIELDS },
  '/topapi/extcontact/create': {
    request: ['contact'],
    result: [],
    envelope: ['errcode', 'errmsg', 'userid', 'request_id'],
    contact: EXT_CONTACT_WRITE_FIELDS,
  },
  '/topapi/extcontact/update': {
    request: ['contact'],
    result: [],
    envelope: ['errcode', 'errmsg', 'request_id'],
    contact: EXT_CONTACT_WRITE_FIELDS,
  },
  '/topapi/extcontact/delete': {
    request: ['user_id'],
    result: [],
    envelope: ['errcode', 'errmsg', 'request_id'],
  },
};

export const OAPI_ENVELOPE = ['errcode', 'errmsg', 'result', 'request_id'];
export const GETTOKEN_RESPONSE = ['errcode', 'errmsg', 'access_token', 'expires_in'];
/** §1.2: the SDK gateway reads code, message, requestid and accessdenieddetail from v1.0 errors. */
export const V1_ERROR_FIELDS = ['code', 'message', 'requestid', 'accessdenieddetail'];
export const OAPI_ERROR_FIELDS = ['errcode', 'errmsg', 'request_id'];
