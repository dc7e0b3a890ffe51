import type { FakeState } from './fake-state';
import { missingBody } from './event-input';
import type { Route } from './routing';
import { FakeApiError } from './wire-errors';

/** The two token endpoints (DingTalk's documentation). Both hand out the same app token. */
export function oauthRoutes(state: FakeState): Route[] {
  const { appKey, appSecret } = state.identity;
  return [
    {
      family: 'v1',
      operation: 'GetAccessToken',
      method: 'POST',
      template: '/v1.0/oauth2/accessToken',
      auth: false,
      handle(req) {
        const body = req.json as Record<string, unknown> | undefined;
        // Form-encoded bodies are not read at all: DingTalk answers MissingBody (aliyun/alibabacloud-php-sdk#36).
        if (
          !/application\/json/i.test(req.headers['content-type'] ?? '') ||
          typeof body !== 'object' ||
          body === null
        ) {
          throw missingBody();
        }
        if (body.appKey !== appKey) {
          throw new FakeApiError(
            { status: 400, code: 'invalidClientId' },
            { errcode: 40096 },
            '无效的clientId',
          );
        }
        if (body.appSecret !== appSecret) {
          throw new FakeApiError(
            { status: 400, code: 'invalidClientSecret' },
            { errcode: 40096 },
            '无效的clientSecret',
          );
        }
        const { token, expiresIn } = state.tokens.issue();
        return { status: 200, body: { accessToken: token, expireIn: expiresIn } };
      },
    },
    {
      family: 'oapi',
      operation: '/gettoken',
      method: 'GET',
      template: '/gettoken',
      auth: false,
      handle(req) {
        if (req.query.get('appkey') !== appKey || req.query.get('appsecret') !== appSecret) {
          throw new FakeApiError(
            { status: 400, code: 'invalidClientSecret' },
            { errcode: 40096 },
            '不合法的appKey或appSecret',
          );
        }
        const { token, expiresIn } = state.tokens.issue();
        return {
          status: 200,
          body: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: expiresIn },
        };
      },
    },
  ];
}
