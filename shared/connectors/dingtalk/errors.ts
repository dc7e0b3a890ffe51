import { NotFoundRemoteError, PermanentRemoteError, TransientRemoteError } from '../../sync/types';

/**
 * The org's monthly call quota on metered DingTalk APIs is spent (errcode 90020 / ApiCountLimitForOrg, or our own
 * budget governor said no). Retrying helps only once the month rolls over, so retryAfterMs points there.
 */
export class QuotaExhaustedError extends TransientRemoteError {
  constructor(
    message: string,
    retryAfterMs: number,
    readonly resumesAt: string,
  ) {
    super(message, retryAfterMs, 403);
  }
}

/** What a failed DingTalk answer means for the caller (DingTalk's documentation). */
export type FailureKind = 'auth' | 'qps' | 'quota' | 'ipBan' | 'transient' | 'notFound' | 'permanent';

export interface DingTalkFailure {
  kind: FailureKind;
  code: string;
  message: string;
  status: number;
}

const AUTH_OAPI_CODES = new Set([40001, 40014, 42001, 88]);
const QPS_OAPI_CODES = new Set([90018, 90002]);
const QUOTA_OAPI_CODE = 90020;
const NOT_FOUND_OAPI_CODES = new Set([60121, 60003]);

/** oapi answers HTTP 200 with a non-zero errcode. */
export function classifyOapiError(errcode: number, errmsg: string): DingTalkFailure {
  const failure = (kind: FailureKind): DingTalkFailure => ({
    kind,
    code: String(errcode),
    message: errmsg,
    status: 200,
  });
  if (AUTH_OAPI_CODES.has(errcode)) return failure('auth');
  if (QPS_OAPI_CODES.has(errcode)) return failure('qps');
  if (errcode === QUOTA_OAPI_CODE) return failure('quota');
  if (errcode === -1) return failure('transient');
  if (NOT_FOUND_OAPI_CODES.has(errcode)) return failure('notFound');
  return failure('permanent');
}

export interface V1ErrorBody {
  code?: string;
  Code?: string;
  message?: string;
  Message?: string;
  requestid?: string;
  RequestId?: string;
}

/**
 * v1.0 answers a non-2xx status with {code, message, requestid}. An invalid or expired token is reported as
 * 400 InvalidAuthentication in the wild (see docs/dingtalk.md), so auth is recognised by code as well as by 401.
 */
export function classifyV1Error(status: number, body: V1ErrorBody | undefined): DingTalkFailure {
  const code = body?.code ?? body?.Code ?? `HTTP${status}`;
  const message = body?.message ?? body?.Message ?? '';
  const failure = (kind: FailureKind): DingTalkFailure => ({ kind, code, message, status });
  if (status === 401 || code === 'InvalidAuthentication') return failure('auth');
  if (code.startsWith('Forbidden.AccessDenied.QpsLimit')) return failure('qps');
  if (code === 'Forbidden.AccessDenied.ApiCountLimitForOrg') return failure('quota');
  if (status === 429 || status >= 500) return failure('transient');
  if (status === 404 || /notexist|notfound/i.test(code)) return failure('notFound');
  return failure('permanent');
}

/** The per-IP ban answers with a small page and no errcode: {"status":1111,"wait":5,"punish":"deny",…}. */
export function isIpBanBody(body: unknown): body is { wait?: number } {
  return typeof body === 'object' && body !== null && (body as Record<string, unknown>).punish === 'deny';
}

export function toRemoteError(failure: DingTalkFailure, api: string, retryAfterMs?: number): Error {
  const text = `DingTalk ${api} failed: ${failure.code} ${failure.message}`.trim();
  switch (failure.kind) {
    case 'notFound':
      return new NotFoundRemoteError(text);
    case 'permanent':
    case 'auth':
      return new PermanentRemoteError(text, failure.code, failure.status);
    default:
      return new TransientRemoteError(text, retryAfterMs, failure.status);
  }
}
