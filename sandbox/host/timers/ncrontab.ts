/**
 * NCRONTAB schedules as the timer trigger reads them: six fields `{second} {minute} {hour} {day} {month}
 * {day-of-week}` or five (no seconds), evaluated in UTC. Unlike Unix cron, NCrontab requires day-of-month AND
 * day-of-week to match (`0 0 0 13 * 5` is only Friday the 13th), hence croner's `domAndDow`.
 */
import { Cron } from 'croner';

export interface NcrontabSchedule {
  expression: string;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
  nextOccurrences(count: number, after: Date): Date[];
}

/** Field tokens NCrontab knows: `*`, numbers, three-letter names, ranges, lists and `/step`. */
const FIELD =
  /^(\*|\d+|[A-Za-z]{3})(-(\d+|[A-Za-z]{3}))?(\/\d+)?(,(\*|\d+|[A-Za-z]{3})(-(\d+|[A-Za-z]{3}))?(\/\d+)?)*$/;

export function parseNcrontab(expression: string): NcrontabSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new Error(
      `The schedule expression '${expression}' was not recognized as a valid cron expression (5 or 6 fields).`,
    );
  }
  const bad = fields.find((field) => !FIELD.test(field));
  if (bad !== undefined) {
    throw new Error(
      `The schedule expression '${expression}' was not recognized as a valid cron expression ('${bad}').`,
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(fields.join(' '), {
      timezone: 'UTC',
      domAndDow: true,
      mode: '5-or-6-parts',
      paused: true,
    });
  } catch (error) {
    throw new Error(
      `The schedule expression '${expression}' was not recognized as a valid cron expression: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const next = (after: Date) => {
    const occurrence = cron.nextRun(after);
    if (!occurrence)
      throw new Error(`The schedule '${expression}' has no occurrence after ${after.toISOString()}.`);
    return occurrence;
  };
  return {
    expression,
    next,
    nextOccurrences: (count, after) => {
      const list: Date[] = [];
      let from = after;
      for (let i = 0; i < count; i++) list.push((from = next(from)));
      return list;
    },
  };
}

/**
 * The runtime turns schedule monitoring off by default when more than one occurrence falls within the next
 * minute (TimerTriggerAttribute); with it off, the Timer's scheduleStatus is null.
 */
export function firesMoreThanOncePerMinute(schedule: NcrontabSchedule, now: Date): boolean {
  const [first, second] = schedule.nextOccurrences(2, now);
  return first.getTime() <= now.getTime() + 60_000 && second.getTime() <= now.getTime() + 60_000;
}
