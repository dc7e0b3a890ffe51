/**
 * Which calls count against the org's monthly quota. DingTalk exempts "获取访问凭证接口、身份验证接口、通讯录接口等"
 * (token, identity and contacts APIs; DingTalk's documentation) and meters the rest, calendar and to-do
 * included (unconfirmed, so we assume the worse case).
 */
const EXEMPT_PREFIXES = [
  '/v1.0/oauth2/',
  '/gettoken',
  '/topapi/v2/department/',
  '/topapi/v2/user/',
  '/topapi/user/',
  '/v1.0/contact/',
];

export function isMeteredApi(pathTemplate: string): boolean {
  return !EXEMPT_PREFIXES.some((prefix) => pathTemplate.startsWith(prefix));
}
