export { startLocalHost, type LocalHost, type LocalHostOptions } from './local-host';
export {
  describeRegistrations,
  describeFunction,
  type FunctionDescription,
  type TriggerKind,
} from './describe';
export { registrations, type RegisteredFunction } from './functions-core';
export { consoleLogSink, type HostLogEntry, type HostLogSink, type HostLogLevel } from './log';
export { parseNcrontab, type NcrontabSchedule } from './timers/ncrontab';
