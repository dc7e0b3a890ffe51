import type { FakeDingTalk } from '../../sandbox/dingtalk';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import type { BenchPerson } from './people';

/**
 * One side's calendar, acted on as its user would and read as the bench needs to see a change arrive. Runs where
 * the fakes run (bench/fakes/fakes-process.ts); the bench reaches it through bench/fakes/remote-calendar.ts.
 */
export interface FakeCalendar {
  name: 'dingtalk' | 'outlook';
  /** Creates a one-hour event tomorrow; answers its id. */
  create(person: BenchPerson, subject: string, hour: number): string;
  rename(person: BenchPerson, id: string, subject: string): void;
  remove(person: BenchPerson, id: string): void;
  findBySubject(person: BenchPerson, subject: string): string | undefined;
  /** Undefined once the event is gone. */
  subjectOf(person: BenchPerson, id: string): string | undefined;
  subjectsWithPrefix(person: BenchPerson, prefix: string): string[];
}

function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

const at = (hour: number) => `${String(hour % 24).padStart(2, '0')}:00:00`;

export function dingtalkSide(dingtalk: FakeDingTalk): FakeCalendar {
  const control = dingtalk.control;
  const live = (person: BenchPerson) =>
    control.calendarOf(person.unionId).filter((e) => e.status !== 'cancelled');
  return {
    name: 'dingtalk',
    create(person, subject, hour) {
      const day = tomorrow();
      const event = control.userCreatesEvent(person.unionId, {
        summary: subject,
        start: { dateTime: `${day}T${at(hour)}+08:00`, timeZone: 'Asia/Shanghai' },
        end: { dateTime: `${day}T${at(hour + 1)}+08:00`, timeZone: 'Asia/Shanghai' },
      });
      return String(event.id);
    },
    rename: (person, id, subject) => void control.userUpdatesEvent(person.unionId, id, { summary: subject }),
    remove: (person, id) => control.userDeletesEvent(person.unionId, id),
    findBySubject: (person, subject) => {
      const found = live(person).find((e) => e.summary === subject);
      return found && String(found.id);
    },
    subjectOf: (person, id) => {
      const found = live(person).find((e) => String(e.id) === id);
      return found && String(found.summary);
    },
    subjectsWithPrefix: (person, prefix) =>
      live(person)
        .map((e) => String(e.summary))
        .filter((subject) => subject.startsWith(prefix)),
  };
}

export function outlookSide(graph: FakeGraph): FakeCalendar {
  const control = graph.control;
  return {
    name: 'outlook',
    create(person, subject, hour) {
      const day = tomorrow();
      const event = control.createEvent(person.entraId, {
        subject,
        start: { dateTime: `${day}T${at(hour)}`, timeZone: 'UTC' },
        end: { dateTime: `${day}T${at(hour + 1)}`, timeZone: 'UTC' },
      });
      return String(event.id);
    },
    rename: (person, id, subject) => void control.updateEvent(person.entraId, id, { subject }),
    remove: (person, id) => void control.deleteEvent(person.entraId, id),
    findBySubject: (person, subject) => {
      const found = control.listEvents(person.entraId).find((e) => e.subject === subject);
      return found && String(found.id);
    },
    subjectOf: (person, id) => {
      const found = control.getEvent(person.entraId, id);
      return found && String(found.subject);
    },
    // The store directly: rendering every event on every poll would load the process being measured.
    subjectsWithPrefix: (person, prefix) =>
      graph.services.calendar
        .list(person.entraId)
        .map((e) => e.subject)
        .filter((subject) => subject.startsWith(prefix)),
  };
}
