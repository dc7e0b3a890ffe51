import {
  isIdle,
  isPaused,
  MAX_PAUSED_PAIRS,
  NOT_PAUSED,
  PauseLimitError,
  withoutPause,
  withPause,
} from '../../../shared/store/control-store';

/** The pause switch's logic: which work a switch holds, and how pauses and resumes change it. */

test('nothing is paused by default', () => {
  expect(isIdle(NOT_PAUSED)).toBe(true);
  expect(isPaused(NOT_PAUSED, 'p1', 'calendar')).toBe(false);
});

test('the organisation-wide pause holds every pair and kind; its resume lifts it', () => {
  const paused = withPause(NOT_PAUSED, {});
  expect(isPaused(paused, 'p1', 'calendar')).toBe(true);
  expect(isPaused(paused, 'p2', 'mail')).toBe(true);
  expect(isIdle(withoutPause(paused, {}))).toBe(true);
});

test('a kind pause holds that kind of every pair and nothing else', () => {
  const paused = withPause(NOT_PAUSED, { kind: 'todo' });
  expect(isPaused(paused, 'p1', 'todo')).toBe(true);
  expect(isPaused(paused, 'p2', 'todo')).toBe(true);
  expect(isPaused(paused, 'p1', 'calendar')).toBe(false);
  expect(withPause(paused, { kind: 'todo' }).pausedKinds).toEqual(['todo']);
  expect(isPaused(withoutPause(paused, { kind: 'todo' }), 'p1', 'todo')).toBe(false);
});

test("a user pause holds every kind of that pair; a user's kind only that kind", () => {
  const paused = withPause(withPause(NOT_PAUSED, { pairId: 'p1' }), { pairId: 'p2', kind: 'mail' });
  expect(isPaused(paused, 'p1', 'calendar')).toBe(true);
  expect(isPaused(paused, 'p1', 'mail')).toBe(true);
  expect(isPaused(paused, 'p2', 'mail')).toBe(true);
  expect(isPaused(paused, 'p2', 'calendar')).toBe(false);
  expect(isPaused(paused, 'p3', 'mail')).toBe(false);
});

test("resuming a user lifts every entry of that pair; resuming a user's kind only that entry", () => {
  let control = withPause(NOT_PAUSED, { pairId: 'p1' });
  control = withPause(control, { pairId: 'p1', kind: 'mail' });
  control = withPause(control, { pairId: 'p10', kind: 'mail' });
  const kindOnly = withoutPause(control, { pairId: 'p1', kind: 'mail' });
  expect(kindOnly.pausedPairs).toEqual(['p1', 'p10|mail']);
  // "p10" starts with "p1": only p1's own entries go.
  expect(withoutPause(control, { pairId: 'p1' }).pausedPairs).toEqual(['p10|mail']);
});

test('resuming one scope leaves the others paused; "all" clears every pause', () => {
  let control = withPause(NOT_PAUSED, {});
  control = withPause(control, { kind: 'calendar' });
  control = withPause(control, { pairId: 'p1' });
  const orgResumed = withoutPause(control, {});
  expect(isPaused(orgResumed, 'p2', 'mail')).toBe(false);
  expect(isPaused(orgResumed, 'p2', 'calendar')).toBe(true);
  expect(isPaused(orgResumed, 'p1', 'mail')).toBe(true);
  expect(isIdle(withoutPause(control, 'all'))).toBe(true);
});

test(`at most ${MAX_PAUSED_PAIRS} user entries, with an error that says what to do instead`, () => {
  let control = NOT_PAUSED;
  for (let i = 0; i < MAX_PAUSED_PAIRS; i++) control = withPause(control, { pairId: `pair-${i}` });
  expect(control.pausedPairs).toHaveLength(MAX_PAUSED_PAIRS);
  // Pausing one already paused is no new entry.
  expect(withPause(control, { pairId: 'pair-0' })).toBe(control);
  expect(() => withPause(control, { pairId: 'one-more' })).toThrow(PauseLimitError);
  expect(() => withPause(control, { pairId: 'one-more' })).toThrow(/whole kind or the whole organisation/);
});
