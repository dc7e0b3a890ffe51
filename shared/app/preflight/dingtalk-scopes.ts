import type { Config } from '../../platform/config';
import { PermanentRemoteError } from '../../sync/types';
import { QuotaExhaustedError } from '../../connectors/dingtalk/errors';
import { reasonOf, skippedResult, type PreflightResult } from './types';

const ID = 'dingtalk-scopes';
const TITLE = 'DingTalk app permissions';

/**
 * DingTalk has no API that lists the permissions (权限点) granted to an internal app, so each area is probed with
 * the cheapest read it needs and the answer tells: a permission refusal comes back as v1.0 HTTP 403
 * `Forbidden.AccessDenied.AccessTokenPermissionDenied` (with `accessdenieddetail.requiredScopes`), or as oapi
 * `errcode 60011` "没有调用该接口的权限" (reference: casdoor/casdoor PR #4469; capricornxl/ad-password-self-service#13).
 * A read proves only the read permission: write permissions cannot be seen without writing.
 */

export type ProbeArea = 'directory' | 'calendar' | 'todo' | 'contact';

export type ScopeProbeOutcome =
  | { kind: 'granted' }
  | { kind: 'denied'; code: string }
  | { kind: 'no-user' }
  | { kind: 'unknown'; reason: string };

interface AreaFacts {
  name: string;
  /** The permissions the area needs, as the console names them, with the console's Chinese label. */
  needs: string[];
  /** What the probe reads and what it costs against the monthly quota. */
  probe: string;
  metered: number;
}

export const PROBE_AREAS: Record<ProbeArea, AreaFacts> = {
  directory: {
    name: 'directory',
    needs: [
      'qyapi_get_department_list (通讯录部门信息读权限)',
      'qyapi_get_department_member (通讯录部门成员读权限)',
      'qyapi_get_member (成员信息读权限)',
    ],
    probe:
      'topapi/v2/department/listsubid and topapi/v2/user/list (size 1) of the root department; contacts APIs, not metered',
    metered: 0,
  },
  calendar: {
    name: 'calendar',
    needs: ['Calendar.Event.Read (日历应用中日程读权限)', 'Calendar.Event.Write (日历应用中日程写权限)'],
    probe: "ListEvents (maxResults 1) of one paired user's primary calendar; 1 metered call",
    metered: 1,
  },
  todo: {
    name: 'to-dos',
    needs: ['Todo.Todo.Read (待办应用中待办读权限)', 'Todo.Todo.Write (待办应用中待办写权限)'],
    probe: 'QueryTodoTasks (one page) of one paired user; 1 metered call',
    metered: 1,
  },
  contact: {
    name: 'external contacts',
    needs: ['qyapi_ext_read (外部联系人读权限)', 'qyapi_ext_write (外部联系人写权限)'],
    probe: 'topapi/extcontact/list (size 1); 1 metered call (whether DingTalk meters it is not documented)',
    metered: 1,
  },
};

/** The areas the enabled kinds need: the directory always (pairing), then one per kind with a DingTalk API. */
export function probeAreasFor(kinds: readonly Config['kinds'][number][]): ProbeArea[] {
  const areas: ProbeArea[] = ['directory'];
  if (kinds.includes('calendar')) areas.push('calendar');
  if (kinds.includes('todo')) areas.push('todo');
  if (kinds.includes('contact')) areas.push('contact');
  return areas;
}

/** DingTalk's two permission refusals, exactly as documented; anything else is not a permission answer. */
export function permissionDeniedCode(err: unknown): string | undefined {
  if (!(err instanceof PermanentRemoteError)) return undefined;
  if (err.remoteCode === 'Forbidden.AccessDenied.AccessTokenPermissionDenied' || err.remoteCode === '60011') {
    return err.remoteCode;
  }
  return undefined;
}

/** What a probe's failure means: a refusal of the permission, or something that says nothing about it. */
export function outcomeOfError(err: unknown): ScopeProbeOutcome {
  const code = permissionDeniedCode(err);
  if (code) return { kind: 'denied', code };
  if (err instanceof QuotaExhaustedError) {
    return { kind: 'unknown', reason: `the month's DingTalk call quota is spent (resumes ${err.resumesAt})` };
  }
  return { kind: 'unknown', reason: reasonOf(err) };
}

export async function checkDingTalkScopes(deps: {
  kinds: Config['kinds'];
  /** Undefined when the DingTalk in use cannot be reached from here. */
  probe?: (area: ProbeArea) => Promise<ScopeProbeOutcome>;
}): Promise<PreflightResult> {
  const areas = probeAreasFor(deps.kinds);
  const mailNote = deps.kinds.some((k) => k === 'mail' || k === 'sentmail')
    ? '; mail needs no app permission (it is read over IMAP with app passwords, checked below)'
    : '';
  if (!deps.probe) {
    return skippedResult(ID, TITLE, 'no DingTalk connection configured');
  }
  const outcomes = new Map<ProbeArea, ScopeProbeOutcome>();
  for (const area of areas) {
    try {
      outcomes.set(area, await deps.probe(area));
    } catch (err) {
      outcomes.set(area, outcomeOfError(err));
    }
  }
  const denied = areas.filter((a) => outcomes.get(a)!.kind === 'denied');
  const unsure = areas.filter((a) => ['unknown', 'no-user'].includes(outcomes.get(a)!.kind));
  const granted = areas.filter((a) => outcomes.get(a)!.kind === 'granted');
  const cost = areas.reduce((sum, a) => sum + PROBE_AREAS[a].metered, 0);
  const parts: string[] = [];
  if (denied.length > 0) {
    parts.push(
      `refused: ${denied
        .map((a) => `${PROBE_AREAS[a].name} (${(outcomes.get(a) as { code: string }).code})`)
        .join(', ')}`,
    );
  }
  if (granted.length > 0) parts.push(`read allowed: ${granted.map((a) => PROBE_AREAS[a].name).join(', ')}`);
  for (const a of unsure) {
    const o = outcomes.get(a)!;
    parts.push(
      `${PROBE_AREAS[a].name} not probed: ${o.kind === 'no-user' ? 'no paired DingTalk user to read as yet' : (o as { reason: string }).reason}`,
    );
  }
  const detail = `${parts.join('; ')} (${cost} metered call${cost === 1 ? '' : 's'})${mailNote}`;
  if (denied.length > 0) {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail,
      fix:
        'in the DingTalk developer console (open-dev.dingtalk.com) open the internal app › 权限管理 (permissions), ' +
        `apply for ${denied.flatMap((a) => PROBE_AREAS[a].needs).join(', ')}, then publish a new version of the ` +
        'app (a new permission applies to tokens issued after that)',
    };
  }
  if (unsure.length > 0) {
    return {
      id: ID,
      ok: 'warn',
      title: TITLE,
      detail,
      fix: 'run preflight again once users are paired (or the cause above is fixed)',
    };
  }
  return {
    id: ID,
    ok: true,
    title: TITLE,
    detail: `${detail}; write permissions cannot be probed without writing: make sure the console also lists ${
      areas
        .filter((a) => a !== 'directory')
        .flatMap((a) => PROBE_AREAS[a].needs.slice(1))
        .join(', ') || 'nothing more'
    }`,
    fix: '',
  };
}
