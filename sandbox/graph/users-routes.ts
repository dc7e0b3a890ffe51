import { renderUser } from './directory';
import { fail, hasRole, resolveUser, type FakeGraphServices, type GraphRequest } from './context';
import { sendJson } from './http-util';

/** GET /users (with $select, $top and @odata.nextLink paging) and GET /users/{id | userPrincipalName}. */

const USER_ROLES = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const DEFAULT_PAGE = 100;
const MAX_PAGE = 999;

export function handleUsers(s: FakeGraphServices, r: GraphRequest): boolean {
  if (r.segments[0] !== 'users' || r.segments.length > 2 || r.method !== 'GET') return false;
  if (!hasRole(r, USER_ROLES)) {
    fail(s, r, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    return true;
  }
  const selectParam = r.url.searchParams.get('$select');
  const select = selectParam
    ? selectParam
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
  const context = `${s.origin()}/v1.0/$metadata#users`;
  if (r.segments.length === 2) {
    const user = resolveUser(s, r, r.segments[1], false);
    if (user) sendJson(r.res, 200, { '@odata.context': `${context}/$entity`, ...renderUser(user, select) });
    return true;
  }
  const top = Number(r.url.searchParams.get('$top') ?? DEFAULT_PAGE);
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE) {
    fail(
      s,
      r,
      400,
      'Request_UnsupportedQuery',
      `Invalid page size specified: '${r.url.searchParams.get('$top')}'. Must be between 1 and ${MAX_PAGE} inclusive.`,
    );
    return true;
  }
  const skip = decodeSkipToken(r.url.searchParams.get('$skiptoken'));
  const all = s.directory.all().sort((a, b) => a.id.localeCompare(b.id));
  const page = all.slice(skip, skip + top);
  const body: Record<string, unknown> = {
    '@odata.context': context,
    value: page.map((u) => renderUser(u, select)),
  };
  if (skip + top < all.length) {
    const selectPart = selectParam ? `$select=${encodeURIComponent(selectParam)}&` : '';
    body['@odata.nextLink'] =
      `${s.origin()}/v1.0/users?${selectPart}$top=${top}&$skiptoken=${encodeSkipToken(skip + top)}`;
  }
  sendJson(r.res, 200, body);
  return true;
}

const encodeSkipToken = (offset: number) =>
  'RFNwdAIAAQAAA' + Buffer.from(`o:${offset}`).toString('base64url');

function decodeSkipToken(token: string | null): number {
  if (!token) return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(token.replace(/^RFNwdAIAAQAAA/, ''), 'base64url').toString('utf8'));
  return m ? Number(m[1]) : 0;
}
