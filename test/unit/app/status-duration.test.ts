import { duration } from '../../../shared/app/status/html';

test('durations read as a person would say them, sub-second copies included', () => {
  expect(duration(0)).toBe('0 ms');
  expect(duration(312.4)).toBe('312 ms');
  expect(duration(1_250)).toBe('1.3 s');
  expect(duration(9_940)).toBe('9.9 s');
  expect(duration(45_000)).toBe('45 s');
  expect(duration(30 * 60_000)).toBe('30 min');
  expect(duration(5 * 3_600_000)).toBe('5 h');
  expect(duration(3 * 86_400_000)).toBe('3 days');
});
