import { DINGTALK_CALLS_PER_SECOND_PER_API } from '../fakes/dingtalk-limits';
import type { CallCounts } from '../pipeline/call-counts';
import { round } from '../support/stats';
import { callsBetween } from './pulls';

const WRITE = /^dingtalk (CreateEvent|PatchEvent|DeleteEvent) \(metered\)$/;

export interface DingtalkCeiling {
  callsPerSecondPerApi: number;
  meteredWriteCallsPerChange: number;
  /** The most changes a second DingTalk's limit lets through at that many writes per change. */
  ceilingChangesPerSecond: number;
}

/**
 * Every DingTalk write of the organisation goes through one app and shares its 20 calls/s per API, so a direction
 * that writes to DingTalk cannot go faster than the limit over the writes each change needs.
 */
export function dingtalkCeiling(before: CallCounts, after: CallCounts, changes: number): DingtalkCeiling {
  const writesPerChange = callsBetween(before, after, (kind) => WRITE.test(kind)) / changes;
  return {
    callsPerSecondPerApi: DINGTALK_CALLS_PER_SECOND_PER_API,
    meteredWriteCallsPerChange: round(writesPerChange, 3),
    ceilingChangesPerSecond: round(DINGTALK_CALLS_PER_SECOND_PER_API / writesPerChange),
  };
}
