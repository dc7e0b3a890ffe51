import type { DingTalkHttpClient } from '../../connectors/dingtalk/http-client';
import type { UserPair } from '../../store/types';
import type { ProbeArea, ScopeProbeOutcome } from './dingtalk-scopes';

/**
 * The probes of dingtalk-scopes.ts over the app's own DingTalk client, so that a metered probe is counted in the
 * month's budget like any other call and waits for the same rate limit. Calendar and to-do reads need a user:
 * the first active pair syncing that kind, else the first member the directory probe listed. Each probe throws
 * what the client throws; the check reads the permission refusal out of it.
 */

interface Envelope<R> {
  errcode: number;
  result: R;
}

const ROOT_DEPARTMENT = 1;
const GRANTED: ScopeProbeOutcome = { kind: 'granted' };

export function dingtalkScopeProbe(
  client: Pick<DingTalkHttpClient, 'v1' | 'oapi'>,
  readPairs: () => Promise<readonly Pick<UserPair, 'status' | 'enabledKinds' | 'dingtalkUnionId'>[]>,
): (area: ProbeArea) => Promise<ScopeProbeOutcome> {
  let listedMember: string | undefined;
  const unionIdFor = async (kind: 'calendar' | 'todo'): Promise<string | undefined> => {
    const pairs = await readPairs().catch(() => []);
    const pair = pairs.find(
      (p) => p.status === 'active' && p.enabledKinds.includes(kind) && p.dingtalkUnionId,
    );
    return pair?.dingtalkUnionId ?? listedMember;
  };
  return async (area) => {
    switch (area) {
      case 'directory': {
        await client.oapi<Envelope<unknown>>('/topapi/v2/department/listsubid', { dept_id: ROOT_DEPARTMENT });
        const members = await client.oapi<Envelope<{ list?: Array<{ unionid?: string }> }>>(
          '/topapi/v2/user/list',
          { dept_id: ROOT_DEPARTMENT, cursor: 0, size: 1, contain_access_limit: false, language: 'zh_CN' },
        );
        listedMember = members.result?.list?.[0]?.unionid || undefined;
        return GRANTED;
      }
      case 'calendar': {
        const userId = await unionIdFor('calendar');
        if (!userId) return { kind: 'no-user' };
        await client.v1({
          method: 'GET',
          path: '/v1.0/calendar/users/{userId}/calendars/{calendarId}/events',
          params: { userId, calendarId: 'primary' },
          query: { maxResults: 1 },
        });
        return GRANTED;
      }
      case 'todo': {
        const unionId = await unionIdFor('todo');
        if (!unionId) return { kind: 'no-user' };
        await client.v1({
          method: 'POST',
          path: '/v1.0/todo/users/{unionId}/tasks/list',
          params: { unionId },
          body: { roleTypes: [['executor'], ['creator']], isDone: false },
        });
        return GRANTED;
      }
      case 'contact':
        await client.oapi<Envelope<unknown>>('/topapi/extcontact/list', { offset: 0, size: 1 });
        return GRANTED;
    }
  };
}
