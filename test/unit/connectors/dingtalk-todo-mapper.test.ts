import fc from 'fast-check';
import { advance } from '../../../shared/connectors/dingtalk/todo-adapter';
import {
  decodeTodoCursor,
  encodeTodoCursor,
  type TodoCursor,
} from '../../../shared/connectors/dingtalk/todo-cursor';
import {
  ALL_DAY_DUE_TIME,
  dueInstant,
  importanceOf,
  priorityOf,
  todoCreateBody,
  todoFromWire,
  todoUpdateBody,
  todoVersionOf,
  type WireTodo,
} from '../../../shared/connectors/dingtalk/todo-mapper';
import type { TodoTask } from '../../../shared/sync/todo-task';
import { CursorExpiredError } from '../../../shared/sync/types';

const SHANGHAI = 'Asia/Shanghai';
const LOS_ANGELES = 'America/Los_Angeles';

const task = (overrides: Partial<TodoTask> = {}): TodoTask => ({
  subject: 'File the report',
  body: 'Numbers for Q3',
  done: false,
  importance: 'normal',
  ...overrides,
});

const wire = (overrides: Partial<WireTodo> = {}): WireTodo => ({
  id: 'task1',
  subject: 'File the report',
  description: 'Numbers for Q3',
  done: false,
  priority: 20,
  createdTime: Date.parse('2026-11-22T08:00:00Z'),
  modifiedTime: Date.parse('2026-11-22T08:00:00Z'),
  ...overrides,
});

describe('DingTalk priority ⇄ importance', () => {
  test('low 10, normal 20, high 30 on write; 30 and 40 read as high, none as normal', () => {
    expect([priorityOf('low'), priorityOf('normal'), priorityOf('high')]).toEqual([10, 20, 30]);
    expect([10, 20, 30, 40, undefined].map(importanceOf)).toEqual([
      'low',
      'normal',
      'high',
      'high',
      'normal',
    ]);
  });
});

describe('DingTalk due times', () => {
  test('a due day without a time is written at 23:59 on the owner clock and read back without a time', () => {
    const body = todoCreateBody(task({ dueDate: '2026-11-23' }), 'dms-1', 'u1', SHANGHAI);
    expect(body.dueTime).toBe(Date.parse('2026-11-23T23:59:00+08:00'));
    const read = todoFromWire(wire({ dueTime: body.dueTime }), SHANGHAI).projection;
    expect(read.dueDate).toBe('2026-11-23');
    expect(read.dueTime).toBeUndefined();
  });

  test('a due time of day is kept, and the day is the owner zone day even when the UTC day differs', () => {
    // 00:30 in Shanghai is the previous day in UTC; 23:00 in Los Angeles is the next day in UTC.
    const east = todoFromWire(
      wire({ dueTime: Date.parse('2026-11-23T00:30:00+08:00') }),
      SHANGHAI,
    ).projection;
    expect([east.dueDate, east.dueTime]).toEqual(['2026-11-23', '00:30']);
    const west = todoFromWire(
      wire({ dueTime: Date.parse('2026-11-23T23:00:00-08:00') }),
      LOS_ANGELES,
    ).projection;
    expect([west.dueDate, west.dueTime]).toEqual(['2026-11-23', '23:00']);
  });

  test('any day and time round-trips through the wire in zones east and west of UTC', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2035-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.option(fc.tuple(fc.integer({ min: 4, max: 23 }), fc.integer({ min: 0, max: 58 })), {
          nil: undefined,
        }),
        fc.constantFrom(SHANGHAI, LOS_ANGELES, 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/London'),
        (date, hm, zone) => {
          const dueDate = date.toISOString().slice(0, 10);
          const dueTime = hm && `${String(hm[0]).padStart(2, '0')}:${String(hm[1]).padStart(2, '0')}`;
          const body = todoCreateBody(task({ dueDate, dueTime }), 'dms-1', 'u1', zone);
          const read = todoFromWire(wire({ dueTime: body.dueTime }), zone).projection;
          expect(read.dueDate).toBe(dueDate);
          expect(read.dueTime).toBe(dueTime);
        },
      ),
    );
  });

  test('no due time means none: 0 or absent', () => {
    expect(todoFromWire(wire({ dueTime: 0 }), SHANGHAI).projection.dueDate).toBeUndefined();
    expect(todoFromWire(wire(), SHANGHAI).projection.dueDate).toBeUndefined();
  });
});

describe('DingTalk to-do → TodoTask', () => {
  test('fields, completion time only when done, and the sourceId as origin key', () => {
    const finish = Date.parse('2026-11-22T09:15:00Z');
    const mapped = todoFromWire(
      wire({ done: true, finishTime: finish, priority: 40, sourceId: 'dms-7' }),
      SHANGHAI,
    );
    expect(mapped).toEqual({
      projection: {
        subject: 'File the report',
        body: 'Numbers for Q3',
        done: true,
        completedAt: '2026-11-22T09:15:00.000Z',
        importance: 'high',
      },
      originKey: 'dms-7',
    });
    const open = todoFromWire(wire({ done: false, finishTime: finish }), SHANGHAI);
    expect(open.projection.completedAt).toBeUndefined();
    expect(open.originKey).toBeUndefined();
  });
});

describe('CreateTodoTask body', () => {
  test('sourceId, the user as creator and only executor, priority, reminder; no done (the request has none)', () => {
    const body = todoCreateBody(
      task({ importance: 'high', reminderAt: '2026-11-23T01:00:00Z', done: true }),
      'dms-9',
      'union-a',
      SHANGHAI,
    );
    expect(body).toEqual({
      subject: 'File the report',
      description: 'Numbers for Q3',
      sourceId: 'dms-9',
      creatorId: 'union-a',
      executorIds: ['union-a'],
      priority: 30,
      reminderTimeStamp: Date.parse('2026-11-23T01:00:00Z'),
    });
  });
});

describe('UpdateTodoTask body', () => {
  const current = wire({ dueTime: Date.parse('2026-11-23T18:00:00+08:00') });
  const same = todoFromWire(current, SHANGHAI).projection;

  test('nothing that UpdateTodoTask can write differs: no body', () => {
    expect(todoUpdateBody(same, current, SHANGHAI)).toBeUndefined();
    // Priority and reminder have no field in UpdateTodoTask.
    expect(
      todoUpdateBody({ ...same, importance: 'high', reminderAt: '2026-11-23T01:00:00Z' }, current, SHANGHAI),
    ).toBeUndefined();
  });

  test('only the fields that differ are sent', () => {
    expect(todoUpdateBody({ ...same, subject: 'Renamed', done: true }, current, SHANGHAI)).toEqual({
      subject: 'Renamed',
      done: true,
    });
  });

  test('a new day without a time of day keeps the current time of day', () => {
    expect(todoUpdateBody({ ...same, dueDate: '2026-11-25', dueTime: undefined }, current, SHANGHAI)).toEqual(
      {
        dueTime: Date.parse('2026-11-25T18:00:00+08:00'),
      },
    );
    expect(todoUpdateBody({ ...same, dueDate: '2026-11-25', dueTime: '08:15' }, current, SHANGHAI)).toEqual({
      dueTime: Date.parse('2026-11-25T08:15:00+08:00'),
    });
  });

  test('a first due day without a time gets the all-day time; a removed due day is left (the API cannot clear it)', () => {
    const undated = wire();
    expect(todoUpdateBody({ ...same, dueDate: '2026-11-25', dueTime: undefined }, undated, SHANGHAI)).toEqual(
      {
        dueTime: dueInstant('2026-11-25', ALL_DAY_DUE_TIME, SHANGHAI),
      },
    );
    expect(
      todoUpdateBody({ ...same, dueDate: undefined, dueTime: undefined }, current, SHANGHAI),
    ).toBeUndefined();
  });
});

describe('to-do version', () => {
  test('changes with content even within the same millisecond, and not without a change', () => {
    const base = wire();
    expect(todoVersionOf(wire())).toBe(todoVersionOf(base));
    expect(todoVersionOf(wire({ subject: 'Other' }))).not.toBe(todoVersionOf(base));
    expect(todoVersionOf(wire({ done: true }))).not.toBe(todoVersionOf(base));
    expect(todoVersionOf(wire({ modifiedTime: base.modifiedTime! + 1 }))).not.toBe(todoVersionOf(base));
    expect(todoVersionOf(base).startsWith(`${base.modifiedTime}#`)).toBe(true);
  });
});

describe('DingTalk to-do cursor', () => {
  const cursor: TodoCursor = {
    live: { at: 1_700_000_000_123, ids: ['taskA', 'taskB'] },
    recycled: { at: 1_700_000_000_000, ids: [] },
    count: 12,
  };

  test('round-trips for its user', () => {
    expect(decodeTodoCursor('union-a', encodeTodoCursor('union-a', cursor))).toEqual(cursor);
    const { count: _count, ...withoutCount } = cursor;
    expect(decodeTodoCursor('union-a', encodeTodoCursor('union-a', withoutCount))).toEqual(withoutCount);
  });

  test('another user, another kind, another version or garbage is an expired cursor', () => {
    const text = encodeTodoCursor('union-a', cursor);
    expect(() => decodeTodoCursor('union-b', text)).toThrow(CursorExpiredError);
    expect(() => decodeTodoCursor('union-a', 'dt1:sync:abc')).toThrow(CursorExpiredError);
    expect(() => decodeTodoCursor('union-a', text.replace('"v":1', '"v":2'))).toThrow(CursorExpiredError);
    expect(() => decodeTodoCursor('union-a', text.replace('"lw":', '"lw":"x","old":'))).toThrow(
      CursorExpiredError,
    );
    expect(() => decodeTodoCursor('union-a', '{"t":"dingtalk-todo"}')).toThrow(CursorExpiredError);
  });

  test('the watermark keeps the ids of its millisecond, and starts over at a newer one', () => {
    const mark = { at: 100, ids: ['a'] };
    const card = (taskId: string, modifiedTime: number) => ({ taskId, modifiedTime });
    expect(advance(mark, [card('a', 100), card('b', 100), card('c', 90)])).toEqual({
      at: 100,
      ids: ['a', 'b'],
    });
    expect(advance(mark, [card('d', 120), card('e', 120), card('b', 110)])).toEqual({
      at: 120,
      ids: ['d', 'e'],
    });
    expect(advance(mark, [])).toEqual(mark);
  });
});
