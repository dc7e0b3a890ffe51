import { decodeTodoCursor, encodeTodoCursor } from '../../../shared/connectors/graph/todo-cursor';
import {
  dayOf,
  type GraphTodoTask,
  LINKED_APP_NAME,
  todoCreateBody,
  todoFromGraph,
  todoPatchBody,
} from '../../../shared/connectors/graph/todo-mapper';
import type { TodoTask } from '../../../shared/sync/todo-task';
import { CursorExpiredError } from '../../../shared/sync/types';

const SHANGHAI = 'Asia/Shanghai';
const LOS_ANGELES = 'America/Los_Angeles';

const graphTask = (overrides: Partial<GraphTodoTask> = {}): GraphTodoTask => ({
  '@odata.etag': 'W/"ck1"',
  id: 'AAMk1',
  title: 'File the report',
  body: { content: 'Numbers for Q3', contentType: 'text' },
  importance: 'normal',
  status: 'notStarted',
  isReminderOn: false,
  createdDateTime: '2026-11-22T08:00:00.0000000Z',
  lastModifiedDateTime: '2026-11-22T08:00:00.0000000Z',
  ...overrides,
});

const task = (overrides: Partial<TodoTask> = {}): TodoTask => ({
  subject: 'File the report',
  body: 'Numbers for Q3',
  done: false,
  importance: 'normal',
  ...overrides,
});

describe('To Do due dates', () => {
  test('read in the owner zone (Prefer: outlook.timezone), the date is the day as written', () => {
    expect(dayOf({ dateTime: '2026-11-23T00:00:00.0000000', timeZone: SHANGHAI }, SHANGHAI)).toBe(
      '2026-11-23',
    );
    expect(
      dayOf({ dateTime: '2026-11-23T00:00:00.0000000', timeZone: 'China Standard Time' }, SHANGHAI),
    ).toBe('2026-11-23');
  });

  test('answered in UTC instead, midnight of the owner day is converted back to that day, east and west of UTC', () => {
    // Midnight in Shanghai is 16:00 UTC the day before; midnight in Los Angeles is 08:00 UTC the same day.
    expect(dayOf({ dateTime: '2026-11-22T16:00:00.0000000', timeZone: 'UTC' }, SHANGHAI)).toBe('2026-11-23');
    expect(dayOf({ dateTime: '2026-11-23T08:00:00.0000000', timeZone: 'UTC' }, LOS_ANGELES)).toBe(
      '2026-11-23',
    );
  });

  test('written as midnight of the day in the owner zone, with no time of day read back', () => {
    const body = todoCreateBody(task({ dueDate: '2026-11-23', dueTime: '18:00' }), 'dms-1', LOS_ANGELES);
    expect(body.dueDateTime).toEqual({ dateTime: '2026-11-23T00:00:00', timeZone: LOS_ANGELES });
    const read = todoFromGraph(
      graphTask({ dueDateTime: { dateTime: '2026-11-23T00:00:00.0000000', timeZone: LOS_ANGELES } }),
      LOS_ANGELES,
    );
    expect(read.projection.dueDate).toBe('2026-11-23');
    expect(read.projection.dueTime).toBeUndefined();
  });
});

describe('todoTask → TodoTask', () => {
  test('status completed is done with its completion time; the other open statuses are not done', () => {
    const done = todoFromGraph(
      graphTask({
        status: 'completed',
        completedDateTime: { dateTime: '2026-11-22T08:00:00.0000000', timeZone: SHANGHAI },
      }),
      SHANGHAI,
    ).projection;
    expect(done.done).toBe(true);
    expect(done.completedAt).toBe('2026-11-22T00:00:00.000Z');
    for (const status of ['inProgress', 'waitingOnOthers', 'deferred', 'notStarted'] as const) {
      const open = todoFromGraph(graphTask({ status, completedDateTime: null }), SHANGHAI).projection;
      expect([open.done, open.completedAt]).toEqual([false, undefined]);
    }
  });

  test('an HTML body is read as text, importance as is, a reminder only when it is on (to the minute, UTC)', () => {
    const t = graphTask({
      body: {
        content: '<html><body><p>Line one</p><p>Line &amp; two</p></body></html>',
        contentType: 'html',
      },
      importance: 'high',
      isReminderOn: true,
      reminderDateTime: { dateTime: '2026-11-23T09:30:27.1230000', timeZone: SHANGHAI },
    });
    const read = todoFromGraph(t, SHANGHAI).projection;
    expect(read.body).toBe('Line one\nLine & two');
    expect(read.importance).toBe('high');
    expect(read.reminderAt).toBe('2026-11-23T01:30:00Z');
    expect(todoFromGraph({ ...t, isReminderOn: false }, SHANGHAI).projection.reminderAt).toBeUndefined();
  });

  test('the origin key is the externalId of our linked resource only', () => {
    const linked = (applicationName: string, externalId: string) => ({
      id: 'l1',
      applicationName,
      externalId,
    });
    expect(
      todoFromGraph(graphTask({ linkedResources: [linked(LINKED_APP_NAME, 'dms-4')] }), SHANGHAI).originKey,
    ).toBe('dms-4');
    expect(
      todoFromGraph(graphTask({ linkedResources: [linked('Planner', 'dms-4')] }), SHANGHAI).originKey,
    ).toBeUndefined();
  });
});

describe('todoTask writes', () => {
  test('create: the linked resource with the origin key, status, reminder and completion in UTC, never recurrence', () => {
    const body = todoCreateBody(
      task({
        done: true,
        completedAt: '2026-11-22T09:15:00.000Z',
        reminderAt: '2026-11-23T01:30:00Z',
        importance: 'low',
      }),
      'dms-5',
      SHANGHAI,
    );
    expect(body).toEqual({
      title: 'File the report',
      body: { contentType: 'text', content: 'Numbers for Q3' },
      importance: 'low',
      status: 'completed',
      isReminderOn: true,
      reminderDateTime: { dateTime: '2026-11-23T01:30:00', timeZone: 'UTC' },
      completedDateTime: { dateTime: '2026-11-22T09:15:00', timeZone: 'UTC' },
      linkedResources: [{ applicationName: LINKED_APP_NAME, externalId: 'dms-5', displayName: 'DingTalk' }],
    });
    expect('recurrence' in body).toBe(false);
  });

  test('patch: nothing when nothing differs, only what differs otherwise', () => {
    const current = graphTask({
      dueDateTime: { dateTime: '2026-11-23T00:00:00.0000000', timeZone: SHANGHAI },
    });
    const held = todoFromGraph(current, SHANGHAI).projection;
    expect(todoPatchBody(held, current, SHANGHAI)).toBeUndefined();
    // A due time of day cannot be held by To Do: it is no difference.
    expect(todoPatchBody({ ...held, dueTime: '09:00' }, current, SHANGHAI)).toBeUndefined();
    expect(todoPatchBody({ ...held, subject: 'Renamed', dueDate: undefined }, current, SHANGHAI)).toEqual({
      title: 'Renamed',
      dueDateTime: null,
    });
  });

  test('patch: not done reopens only a completed task; done sends the completion time when known', () => {
    const inProgress = graphTask({ status: 'inProgress' });
    expect(todoPatchBody(task({ subject: 'x' }), inProgress, SHANGHAI)).toEqual({ title: 'x' });
    const completed = graphTask({
      status: 'completed',
      completedDateTime: { dateTime: '2026-11-22T00:00:00.0000000', timeZone: 'UTC' },
    });
    expect(todoPatchBody(task(), completed, SHANGHAI)).toEqual({ status: 'notStarted' });
    expect(
      todoPatchBody(task({ done: true, completedAt: '2026-11-22T09:15:00.000Z' }), inProgress, SHANGHAI),
    ).toEqual({
      status: 'completed',
      completedDateTime: { dateTime: '2026-11-22T09:15:00', timeZone: 'UTC' },
    });
  });

  test('patch: a reminder set, moved within its minute (no change), and removed', () => {
    const on = graphTask({
      isReminderOn: true,
      reminderDateTime: { dateTime: '2026-11-23T01:30:00.0000000', timeZone: 'UTC' },
    });
    expect(todoPatchBody(task({ reminderAt: '2026-11-23T01:30:40Z' }), on, SHANGHAI)).toBeUndefined();
    expect(todoPatchBody(task(), on, SHANGHAI)).toEqual({ isReminderOn: false });
    expect(todoPatchBody(task({ reminderAt: '2026-11-24T01:30:00Z' }), graphTask(), SHANGHAI)).toEqual({
      isReminderOn: true,
      reminderDateTime: { dateTime: '2026-11-24T01:30:00', timeZone: 'UTC' },
    });
  });
});

describe('Outlook To Do cursor', () => {
  test('round-trips; another kind or a malformed one is expired', () => {
    const state = {
      v: 1 as const,
      listId: 'L1',
      link: 'https://graph.example/delta?$deltatoken=x',
      full: false,
    };
    expect(decodeTodoCursor(encodeTodoCursor(state))).toEqual(state);
    expect(() => decodeTodoCursor('outlook-calendar:abc')).toThrow(CursorExpiredError);
    expect(() => decodeTodoCursor('outlook-todo:!!')).toThrow(CursorExpiredError);
    const noList = encodeTodoCursor({ ...state, listId: '' });
    expect(() => decodeTodoCursor(noList)).toThrow(CursorExpiredError);
  });
});
