import type { BenchPerson } from '../pipeline/people';
import type { SideName } from './fake-operations';
import type { Fakes } from './fakes-client';

/** One side's calendar in the fakes' process (pipeline/calendar-sides.ts), acted on and read from the bench. */
export interface CalendarSide {
  name: SideName;
  /** Creates a one-hour event tomorrow; answers its id. */
  create(person: BenchPerson, subject: string, hour: number): Promise<string>;
  rename(person: BenchPerson, id: string, subject: string): Promise<void>;
  remove(person: BenchPerson, id: string): Promise<void>;
  findBySubject(person: BenchPerson, subject: string): Promise<string | undefined>;
  /** Undefined once the event is gone. */
  subjectOf(person: BenchPerson, id: string): Promise<string | undefined>;
}

export function remoteCalendar(fakes: Fakes, name: SideName): CalendarSide {
  return {
    name,
    create: (person, subject, hour) => fakes.call('create', name, person, subject, hour),
    rename: (person, id, subject) => fakes.call('rename', name, person, id, subject),
    remove: (person, id) => fakes.call('remove', name, person, id),
    findBySubject: (person, subject) => fakes.call('findBySubject', name, person, subject),
    subjectOf: (person, id) => fakes.call('subjectOf', name, person, id),
  };
}
