import type { FakeState } from './fake-state';
import type { Route } from './routing';
import { errors } from './wire-errors';

/**
 * event_1_0 GetCallBackFaileResult: `GET /v1.0/event/callbacks/failedResults?beginTime&endTime` (ms) →
 * `{failedList: [{callBackTag, callBackData, corpId, eventTime}], hasMore}` (the SDK's model in
 * schemas/dingtalk-api.json). DingTalk keeps failed deliveries for 7 days ("回调接收失败的数据仅保留一周",
 * open-doc.dingtalk.com/microapp/serverapi2/lo5n6i). The fake lists the pushes its receiver did not answer with
 * the encrypted "success" in time; check_url is the console's registration test, not a delivery, and a dropped
 * event was never sent, so neither is listed. Page size and order are not documented: all of them, oldest first.
 */

const KEPT_MS = 7 * 24 * 3600_000;

export function eventRoutes(state: FakeState): Route[] {
  return [
    {
      family: 'v1',
      operation: 'GetCallBackFaileResult',
      method: 'GET',
      template: '/v1.0/event/callbacks/failedResults',
      auth: true,
      handle(req) {
        const now = state.clock.now();
        const begin = msParam(req.query.get('beginTime'), 'beginTime') ?? now - KEPT_MS;
        const end = msParam(req.query.get('endTime'), 'endTime') ?? now;
        const failedList = state.callbacks
          .deliveries()
          .filter((d) => !d.ok && d.attempt >= 0 && d.eventType !== 'check_url')
          .filter((d) => d.at >= Math.max(begin, now - KEPT_MS) && d.at < end)
          .map((d) => ({
            callBackTag: d.eventType,
            callBackData: JSON.stringify(d.payload),
            corpId: state.identity.corpId,
            eventTime: d.at,
          }));
        return { status: 200, body: { failedList, hasMore: false } };
      },
    },
  ];
}

function msParam(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw errors.invalidParameter(name);
  return ms;
}
