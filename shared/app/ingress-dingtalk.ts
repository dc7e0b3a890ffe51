import { hintsFor, successReply, verifyDingTalkCallback, type SuccessReply } from '../ingress';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { UserRepository } from '../store/repositories';
import type { TableJobStore } from '../store/job-store';
import type { ColleagueStore } from '../store/colleague-store';
import { recordHint, type HintDeps } from './hints';
import { requestJob } from './jobs/job-runner';

export interface DingTalkIngressDeps extends HintDeps {
  users: Pick<UserRepository, 'findByUnionId'>;
  jobs: Pick<TableJobStore, 'request'>;
  config: Pick<Config, 'dingtalk'> & Partial<Pick<Config, 'colleagues'>>;
  /** With CONTACT_COLLEAGUES on: who a directory callback named, for the colleagues job. */
  colleagues?: Pick<ColleagueStore, 'noteDirectoryChanges'>;
  log: Logger;
  now: () => number;
}

export interface DingTalkCallbackInput {
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

export type DingTalkCallbackOutcome =
  | { status: 200; reply: SuccessReply; summary: string }
  | { status: 400 | 401 | 403 | 413 | 415; error: string };

/**
 * One DingTalk HTTP-push delivery: verify, record hints, answer with the encrypted "success". Every genuine event
 * is answered success, including ones we ignore: anything else makes DingTalk retry and, in the end, disable the
 * push.
 */
export async function handleDingTalkCallback(
  deps: DingTalkIngressDeps,
  input: DingTalkCallbackInput,
): Promise<DingTalkCallbackOutcome> {
  const now = deps.now();
  const dt = deps.config.dingtalk;
  const verdict = verifyDingTalkCallback(
    { query: input.query, contentType: input.contentType, body: input.body },
    {
      token: dt.callbackToken,
      aesKey: dt.callbackAesKey,
      ownerKeys: [dt.appKey, dt.corpId],
      windowSeconds: dt.callbackWindowSeconds,
      now,
    },
  );
  if (!verdict.ok) {
    deps.log.warn('dingtalk callback rejected', { status: verdict.status, reason: verdict.reason });
    return { status: verdict.status, error: verdict.reason };
  }

  const event = verdict.event;
  let summary: string = event.type;
  if (event.type === 'unknown' || event.type === 'malformed') {
    deps.log.info('dingtalk event acknowledged without action', {
      eventType: event.eventType,
      problem: event.type === 'malformed' ? event.problem : 'not handled',
    });
  }

  const directoryUsers: string[] = [];
  for (const hint of hintsFor(event)) {
    if (hint.scope === 'calendar' && event.type === 'calendar_event_change') {
      const pair = await deps.users.findByUnionId(hint.unionId);
      if (!pair || pair.status !== 'active') {
        deps.log.debug('calendar change for an unpaired user ignored', { unionId: hint.unionId });
        continue;
      }
      const outcome = await recordHint(
        deps,
        {
          pairId: pair.pairId,
          kind: 'calendar',
          side: 'dingtalk',
          folder: 'primary',
          reason: 'callback',
          itemId: event.calendarEventId,
          ...(event.calendarEventUpdateTime ? { version: String(event.calendarEventUpdateTime) } : {}),
          // A cancelled event is gone from the calendar: its hint is a deletion, which is how our own delete's echo
          // is recognised.
          ...(event.changeType === 'cancelled' ? { deleted: true } : {}),
        },
        now,
      );
      summary += ` ${pair.pairId}:${outcome}`;
    } else if (hint.scope !== 'calendar') {
      // Directory changes are handled by the timer's pairing job, which this request asks to run.
      await requestJob(deps.jobs, 'pairing');
      summary += ` directory:${hint.change}`;
      directoryUsers.push(...hint.userIds);
    }
  }
  if (directoryUsers.length > 0 && deps.colleagues && (deps.config.colleagues?.mode ?? 'off') !== 'off') {
    // The people only: the colleagues job reads them back and updates the folders of their departments.
    await deps.colleagues.noteDirectoryChanges(directoryUsers);
    await requestJob(deps.jobs, 'colleagues');
  }
  return {
    status: 200,
    reply: successReply({ token: dt.callbackToken, aesKey: dt.callbackAesKey }, verdict.ownerKey, now),
    summary,
  };
}
