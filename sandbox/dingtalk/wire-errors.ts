import { randomUUID } from 'node:crypto';

/**
 * DingTalk's two error dialects (DingTalk's documentation): v1.0 answers a non-2xx status with
 * {code, message, requestid}; oapi answers HTTP 200 with {errcode, errmsg, request_id}.
 */

export type Family = 'v1' | 'oapi';

export interface FakeResponse {
  status: number;
  /** JSON-serialised unless it is a string. Undefined = no body (204). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown by handlers; the pipeline renders it in the route's dialect. */
export class FakeApiError extends Error {
  constructor(
    readonly v1: { status: number; code: string },
    readonly oapi: { errcode: number },
    message: string,
  ) {
    super(message);
  }
}

export const requestId = (): string => randomUUID().toUpperCase();

export function renderError(family: Family, err: FakeApiError): FakeResponse {
  if (family === 'v1') {
    return {
      status: err.v1.status,
      body: { code: err.v1.code, requestid: requestId(), message: err.message },
    };
  }
  return { status: 200, body: { errcode: err.oapi.errcode, errmsg: err.message, request_id: requestId() } };
}

/** The errors more than one route needs, with the codes and messages documented in docs/dingtalk.md. */
export const errors = {
  invalidToken: () =>
    new FakeApiError(
      { status: 400, code: 'InvalidAuthentication' },
      { errcode: 40014 },
      '不合法的access_token',
    ),
  expiredToken: () =>
    new FakeApiError(
      { status: 400, code: 'InvalidAuthentication' },
      { errcode: 40001 },
      '不合法的access_token(已过期)',
    ),
  qpsLimit: () =>
    new FakeApiError(
      { status: 403, code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi' },
      { errcode: 90018 },
      '当前应用调用该接口的并发量超过了限制(20次/秒)',
    ),
  globalQpsLimit: () =>
    new FakeApiError(
      { status: 403, code: 'Forbidden.AccessDenied.QpsLimitForApi' },
      { errcode: 90002 },
      '当前接口1秒内请求总次数超过了限制',
    ),
  quotaExceeded: () =>
    new FakeApiError(
      { status: 403, code: 'Forbidden.AccessDenied.ApiCountLimitForOrg' },
      { errcode: 90020 },
      '企业当月调用量已超过限制',
    ),
  systemBusy: () =>
    new FakeApiError({ status: 503, code: 'ServiceUnavailable' }, { errcode: -1 }, '系统繁忙'),
  invalidParameter: (what: string) =>
    new FakeApiError({ status: 400, code: 'invalidParameter' }, { errcode: 400002 }, `无效的参数: ${what}`),
};
