import { FOLDERS } from '../../../shared/app/maintenance';
import type { Person, Pipeline } from './pipeline';

/** What the end-to-end suites read and check on both calendars. */

export const subjectOf = (e: Record<string, unknown>): string => String(e.subject ?? e.summary ?? '');

export const outlookWith = (p: Pipeline, person: Person, subject: string) =>
  p.graph.control.listEvents(person.entraId).filter((e) => subjectOf(e) === subject);

export const dingtalkWith = (p: Pipeline, person: Person, subject: string) =>
  p.dingtalk.control
    .calendarOf(person.unionId)
    .filter((e) => subjectOf(e) === subject && e.status !== 'cancelled');

/** Every folder of every person, pulled now: what the safety sweep does, without waiting for its interval. */
export async function sweepAll(p: Pipeline, reason: string): Promise<void> {
  for (const person of p.people) {
    for (const side of ['dingtalk', 'outlook'] as const) {
      await p.app.stores.workQueue.enqueue({
        pairId: person.entraId,
        kind: 'calendar',
        side,
        folder: FOLDERS.calendar[side],
        reason,
      });
    }
  }
}

/** After quiet, a maintenance run and a pull of every folder must write nothing: no echo, no loop. */
export async function expectNoEchoWrites(p: Pipeline): Promise<void> {
  await p.quiet();
  const before = p.writes();
  await p.host.invoke('maintenance');
  await sweepAll(p, 'test-sweep');
  await p.quiet();
  expect(p.writes()).toEqual(before);
}
