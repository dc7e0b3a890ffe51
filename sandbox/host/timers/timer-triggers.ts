/** Starts a TimerListener for each timer-triggered function; a bad schedule puts only that function in error. */
import type { Timer } from '@azure/functions';
import { triggerBindingOf, triggerKindOf } from '../describe';
import type { RegisteredFunction } from '../functions-core';
import type { FunctionInvoker } from '../invoker';
import type { HostLog } from '../log';
import { resolveSettingExpressions } from '../setting-expressions';
import { firesMoreThanOncePerMinute, parseNcrontab } from './ncrontab';
import { TimerListener } from './timer-listener';

export function startTimerTriggers(
  functions: RegisteredFunction[],
  invoker: FunctionInvoker,
  log: HostLog,
): TimerListener[] {
  const listeners: TimerListener[] = [];
  for (const fn of functions) {
    const trigger = triggerBindingOf(fn);
    if (triggerKindOf(trigger.type) !== 'timer') continue;
    try {
      const expression = resolveSettingExpressions(String(trigger.schedule ?? ''));
      if (/^\s*(\d+\.)?\d{1,2}:\d{2}(:\d{2})?\s*$/.test(expression)) {
        throw new Error(
          `TimeSpan schedules ('${expression}') only run on App Service plans; use an NCRONTAB expression.`,
        );
      }
      const schedule = parseNcrontab(expression);
      const useMonitor =
        typeof trigger.useMonitor === 'boolean'
          ? trigger.useMonitor
          : !firesMoreThanOncePerMinute(schedule, new Date());
      const listener = new TimerListener({
        functionName: fn.name,
        schedule,
        runOnStartup: trigger.runOnStartup === true,
        useMonitor,
        log,
        invoke: (timer: Timer, reason: string) => invoker.invoke(fn, timer, { reason }),
      });
      listener.start();
      listeners.push(listener);
    } catch (error) {
      log.error(
        `The function '${fn.name}' is in error and its timer was not started: ${(error as Error).message}`,
      );
    }
  }
  return listeners;
}
