import { extContactsOf, type ExtContact, type ExtContactStore } from './extcontact-store';
import type { FakeState } from './fake-state';
import type { FakeRequest, Route } from './routing';
import { errors, FakeApiError, requestId } from './wire-errors';

/**
 * The oapi external-contact APIs (DingTalk's documentation, help.dingtalk.io "…external contact…" pages):
 *   POST /topapi/extcontact/list            {offset, size ≤ 100}   → results[]   (qyapi_ext_read)
 *   POST /topapi/extcontact/get             {user_id}              → result      (qyapi_ext_read)
 *   POST /topapi/extcontact/listlabelgroups {offset, size ≤ 100}   → results[]   (qyapi_ext_read)
 *   POST /topapi/extcontact/create          {contact}              → userid      (qyapi_ext_write)
 *   POST /topapi/extcontact/update          {contact: {user_id,…}}               (qyapi_ext_write)
 *   POST /topapi/extcontact/delete          {user_id}                            (qyapi_ext_write)
 * Bodies are JSON, or form fields as the documentation's curl examples send them (contact as JSON text). They go
 * through the fake's pipeline like every API: token, 20 QPS per API, and the monthly meter.
 */

const MAX_SHARED = 20;
const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

export function extContactRoutes(state: FakeState): Route[] {
  const store = () => extContactsOf(state);
  const route = (
    name: string,
    access: 'read' | 'write',
    handle: (body: Record<string, unknown>) => unknown,
  ): Route => ({
    family: 'oapi',
    operation: `/topapi/extcontact/${name}`,
    method: 'POST',
    template: `/topapi/extcontact/${name}`,
    auth: true,
    handle: (req) => {
      if (!store().options[access]) throw noPermission(access);
      return {
        status: 200,
        body: { errcode: 0, errmsg: 'ok', ...(handle(bodyOf(req)) as object), request_id: requestId() },
      };
    },
  });
  return [
    route('list', 'read', (body) => ({ results: page(body, store().all()).map(view) })),
    route('listlabelgroups', 'read', (body) => ({ results: page(body, store().groups) })),
    route('get', 'read', (body) => ({ result: view(existing(store(), body.user_id)) })),
    route('create', 'write', (body) => {
      const input = contactOf(body);
      const fields = readContact(state, store(), input, 'create');
      const mobile = requiredString(input, 'mobile');
      if (!/^\d{4,20}$/.test(mobile)) throw errors.invalidParameter('mobile');
      const stateCode = requiredString(input, 'state_code');
      if (!/^\d{1,4}$/.test(stateCode)) throw errors.invalidParameter('state_code');
      return {
        userid: store().add({ ...fields, mobile, state_code: stateCode } as Omit<ExtContact, 'userid'>)
          .userid,
      };
    }),
    route('update', 'write', (body) => {
      const input = contactOf(body);
      const target = existing(store(), input.user_id);
      // The update API takes no mobile or state_code (DingTalk's documentation): they stay as they were.
      store().update(target.userid, readContact(state, store(), input, 'update'));
      return {};
    }),
    route('delete', 'write', (body) => {
      store().delete(existing(store(), body.user_id).userid);
      return {};
    }),
  ];
}

/** The fields of a create or update, checked as the documentation describes them. */
export function readContact(
  state: FakeState,
  store: ExtContactStore,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
): Partial<Omit<ExtContact, 'userid' | 'mobile' | 'state_code'>> {
  const name = requiredString(input, 'name');
  const follower = requiredString(input, 'follower_user_id');
  if (!state.org.user(follower)) throw userNotFound(follower);
  const labelIds = numberList(input, 'label_ids', true)!;
  for (const id of labelIds) if (!store.labelExists(id)) throw errors.invalidParameter(`label_ids: ${id}`);
  const shareUsers = stringList(input, 'share_user_ids');
  for (const u of shareUsers ?? []) if (!state.org.user(u)) throw userNotFound(u);
  const shareDepts = numberList(input, 'share_dept_ids', false);
  for (const d of shareDepts ?? [])
    if (!state.org.hasDepartment(d))
      throw new FakeApiError({ status: 400, code: 'deptNotExist' }, { errcode: 60003 }, '部门不存在');
  const out: Partial<Omit<ExtContact, 'userid' | 'mobile' | 'state_code'>> = {
    name,
    follower_user_id: follower,
    label_ids: labelIds,
  };
  if (shareUsers || mode === 'create') out.share_user_ids = shareUsers ?? [];
  if (shareDepts || mode === 'create') out.share_dept_ids = shareDepts ?? [];
  const texts = [
    'company_name',
    'title',
    'address',
    'remark',
    ...(store.options.emailWritable ? ['email'] : []),
  ];
  for (const key of texts) {
    const v = input[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw errors.invalidParameter(key);
    (out as Record<string, unknown>)[key] = v;
  }
  return out;
}

/** The OpenExtContact of get and list: the fields that are set. */
export function view(c: ExtContact): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
}

/** offset and size work only together ("takes effect only when set together with …"); otherwise 0 and 20. */
function page<T>(body: Record<string, unknown>, all: T[]): T[] {
  if (body.offset === undefined || body.size === undefined) return all.slice(0, DEFAULT_PAGE);
  const offset = Number(body.offset);
  const size = Number(body.size);
  if (!Number.isInteger(offset) || offset < 0) throw errors.invalidParameter('offset');
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
    throw errors.invalidParameter('size must be 1..100');
  return all.slice(offset, offset + size);
}

function existing(store: ExtContactStore, userId: unknown): ExtContact {
  const found = typeof userId === 'string' ? store.get(userId) : undefined;
  // "33012 Invalid userId" (error table of "Delete an external contact").
  if (!found)
    throw new FakeApiError({ status: 400, code: 'invalidUserId' }, { errcode: 33012 }, '无效的USERID');
  return found;
}

function contactOf(body: Record<string, unknown>): Record<string, unknown> {
  let contact = body.contact;
  if (typeof contact === 'string') {
    try {
      contact = JSON.parse(contact);
    } catch {
      throw errors.invalidParameter('contact');
    }
  }
  if (!contact || typeof contact !== 'object' || Array.isArray(contact))
    throw errors.invalidParameter('contact');
  return contact as Record<string, unknown>;
}

function requiredString(input: Record<string, unknown>, key: string): string {
  const v = input[key];
  if (typeof v !== 'string' || !v.trim()) throw errors.invalidParameter(`${key} is required`);
  return v;
}

function numberList(input: Record<string, unknown>, key: string, required: boolean): number[] | undefined {
  const v = input[key];
  if (v === undefined && !required) return undefined;
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x)) || (required && v.length === 0))
    throw errors.invalidParameter(required ? `${key} is required` : key);
  if (v.length > MAX_SHARED) throw errors.invalidParameter(`${key}: at most ${MAX_SHARED}`);
  return [...new Set(v as number[])];
}

function stringList(input: Record<string, unknown>, key: string): string[] | undefined {
  const v = input[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw errors.invalidParameter(key);
  if (v.length > MAX_SHARED) throw errors.invalidParameter(`${key}: at most ${MAX_SHARED}`);
  return [...new Set(v as string[])];
}

function bodyOf(req: FakeRequest): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(req.bodyText));
  if (req.bodyText === '') return {};
  if (typeof req.json !== 'object' || req.json === null) throw errors.invalidParameter('body must be JSON');
  return req.json as Record<string, unknown>;
}

function userNotFound(userid: string): FakeApiError {
  return new FakeApiError(
    { status: 400, code: 'userNotExist' },
    { errcode: 60121 },
    `找不到该用户: ${userid}`,
  );
}

/** An app without qyapi_ext_read / qyapi_ext_write (the permission each page names). */
function noPermission(access: 'read' | 'write'): FakeApiError {
  return new FakeApiError(
    { status: 403, code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied' },
    { errcode: 60011 },
    `没有调用该接口的权限: qyapi_ext_${access}`,
  );
}
