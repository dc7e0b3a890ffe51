import { listSome, plural, reasonOf, skippedResult, type PreflightResult } from './types';
import { dingtalkCallbackUrl } from './dingtalk-callback';
import { outcomeOfError } from './dingtalk-scopes';

const ID = 'dingtalk-callback-deliveries';
const TITLE = 'DingTalk callback deliveries (last 7 days)';
/** DingTalk keeps failed deliveries for one week ("回调接收失败的数据仅保留一周", open-doc.dingtalk.com lo5n6i). */
const KEPT_MS = 7 * 24 * 3600_000;

/** One entry of GetCallBackFaileResult's failedList (event_1_0; schemas/dingtalk-api.json). */
export interface FailedCallback {
  callBackTag?: string;
  eventTime?: number;
}

/**
 * Whether DingTalk failed to deliver events to us, read with event_1_0 GetCallBackFaileResult
 * (`GET /v1.0/event/callbacks/failedResults?beginTime&endTime`, one metered call). DingTalk offers no API that reads
 * an event subscription made in the developer console (the legacy `call_back/get_call_back` reads only one made
 * with `register_call_back`), so registration itself cannot be confirmed from the app: failed deliveries prove
 * DingTalk is pushing to an address that did not answer; none proves nothing either way.
 */
export async function checkDingTalkCallbackDeliveries(deps: {
  publicBaseUrl: string;
  read?: (beginMs: number, endMs: number) => Promise<FailedCallback[]>;
  now: () => number;
}): Promise<PreflightResult> {
  const consoleHint = `confirm in the DingTalk developer console › 事件与回调 that the request URL is ${dingtalkCallbackUrl(deps.publicBaseUrl)} and the events of docs/webhooks.md §1.1 are on`;
  if (!deps.read) {
    return skippedResult(ID, TITLE, 'no DingTalk connection configured');
  }
  const end = deps.now();
  let failed: FailedCallback[];
  try {
    failed = await deps.read(end - KEPT_MS, end);
  } catch (err) {
    const outcome = outcomeOfError(err);
    return {
      id: ID,
      ok: 'warn',
      title: TITLE,
      detail:
        outcome.kind === 'denied'
          ? `DingTalk refused to list failed deliveries (${outcome.code}); DingTalk does not document which permission that API needs`
          : `failed deliveries could not be listed: ${reasonOf(err)}`,
      fix: `${consoleHint}; registration cannot be read through DingTalk's API`,
    };
  }
  if (failed.length === 0) {
    return {
      id: ID,
      ok: true,
      title: TITLE,
      detail:
        'DingTalk lists no failed delivery (1 metered call); whether the callback is registered cannot be read ' +
        `through DingTalk's API: ${consoleHint}`,
      fix: '',
    };
  }
  const last = Math.max(...failed.map((f) => f.eventTime ?? 0));
  const tags = [...new Set(failed.map((f) => f.callBackTag ?? 'unknown'))];
  return {
    id: ID,
    ok: 'warn',
    title: TITLE,
    detail:
      `DingTalk lists ${plural(failed.length, 'failed delivery', 'failed deliveries')} (${listSome(tags)}), the last at ` +
      `${last ? new Date(last).toISOString() : 'an unknown time'}: the callback is registered, but those events were not answered in time`,
    fix:
      'make sure the check_url check above passes and the function app stays reachable; the changes those events ' +
      'announced are caught by the safety sweep (docs/architecture.md)',
  };
}
