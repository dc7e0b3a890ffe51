import { runAdminCommand } from '../../scripts/admin/command';
import {
  dingtalkWith as dingtalkOf,
  expectNoEchoWrites,
  outlookWith as outlookOf,
} from './support/calendars';
import { startPipeline, type Person, type Pipeline } from './support/pipeline';

/**
 * The pause switch through the whole product: the admin command pauses the organisation, and once the worker's
 * cached view of the switch has expired (30 s: "every write stops within a minute"), changes on both sides write
 * nothing anywhere. The resume brings each of them across exactly once, from the cursors the pause left alone.
 */
let p: Pipeline;

const DAY_MS = 86_400_000;
const tomorrow = (hour: number) =>
  `${new Date(Date.now() + DAY_MS).toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00`;
const outlookWith = (person: Person, subject: string) => outlookOf(p, person, subject);
const dingtalkWith = (person: Person, subject: string) => dingtalkOf(p, person, subject);
/** Longer than the worker's cache of the switch (30 s). */
const SWITCH_CACHE_EXPIRY_MS = 31_000;

async function admin(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runAdminCommand(
    argv,
    { env: {}, out: (line) => lines.push(line), err: (text) => lines.push(text) },
    { stores: p.app.stores },
  );
  return { code, out: lines.join('\n') };
}

beforeAll(async () => {
  p = await startPipeline();
  await p.onboard();
}, 60_000);

afterAll(async () => {
  await p?.stop();
});

test('paused, no change is written anywhere; resumed, every change made meanwhile arrives once', async () => {
  const [zhang, alice] = p.people;
  // Before: one event each way, synced, so the pause also has an update and a delete to hold back.
  p.dingtalk.control.userCreatesEvent(zhang.unionId, {
    summary: 'Before the pause',
    start: { dateTime: `${tomorrow(10)}+08:00`, timeZone: 'Asia/Shanghai' },
    end: { dateTime: `${tomorrow(11)}+08:00`, timeZone: 'Asia/Shanghai' },
  });
  const outlookOriginal = p.graph.control.createEvent(alice.entraId, {
    subject: 'Outlook before the pause',
    start: { dateTime: tomorrow(9), timeZone: 'UTC' },
    end: { dateTime: tomorrow(10), timeZone: 'UTC' },
  });
  await p.quiet();
  expect(outlookWith(zhang, 'Before the pause')).toHaveLength(1);
  expect(dingtalkWith(alice, 'Outlook before the pause')).toHaveLength(1);

  const paused = await admin('pause');
  expect(paused.code).toBe(0);
  expect(paused.out).toMatch(/^paused the whole organisation/);
  await new Promise((resolve) => setTimeout(resolve, SWITCH_CACHE_EXPIRY_MS));

  const before = p.writes();
  const [dingtalkOriginal] = dingtalkWith(zhang, 'Before the pause');
  p.dingtalk.control.userUpdatesEvent(zhang.unionId, String(dingtalkOriginal.id), {
    summary: 'Renamed while paused',
  });
  p.dingtalk.control.userCreatesEvent(alice.unionId, {
    summary: 'Made in DingTalk while paused',
    start: { dateTime: `${tomorrow(13)}+08:00`, timeZone: 'Asia/Shanghai' },
    end: { dateTime: `${tomorrow(14)}+08:00`, timeZone: 'Asia/Shanghai' },
  });
  p.graph.control.deleteEvent(alice.entraId, String(outlookOriginal.id));
  p.graph.control.createEvent(zhang.entraId, {
    subject: 'Made in Outlook while paused',
    start: { dateTime: tomorrow(15), timeZone: 'UTC' },
    end: { dateTime: tomorrow(16), timeZone: 'UTC' },
  });
  await p.quiet();

  expect(p.writes()).toEqual(before);
  expect(outlookWith(zhang, 'Renamed while paused')).toHaveLength(0);
  expect(outlookWith(alice, 'Made in DingTalk while paused')).toHaveLength(0);
  expect(dingtalkWith(alice, 'Outlook before the pause')).toHaveLength(1);
  expect(dingtalkWith(zhang, 'Made in Outlook while paused')).toHaveLength(0);

  const resumed = await admin('resume');
  expect(resumed.code).toBe(0);
  expect(resumed.out).toMatch(/^resumed the whole organisation: 6 folder pulls queued; they start in 35 s/);
  // The pulls wait until every instance's cached switch has expired: a pull taken earlier would be set aside too.
  await p.quiet({ withinMs: 60_000 });

  expect(outlookWith(zhang, 'Renamed while paused')).toHaveLength(1);
  expect(outlookWith(zhang, 'Before the pause')).toHaveLength(0);
  expect(outlookWith(alice, 'Made in DingTalk while paused')).toHaveLength(1);
  expect(dingtalkWith(alice, 'Outlook before the pause')).toHaveLength(0);
  expect(dingtalkWith(zhang, 'Made in Outlook while paused')).toHaveLength(1);
  // One write per change: an update and a create into Outlook, a delete and a create into DingTalk.
  expect(p.writes()).toEqual({ graph: before.graph + 2, dingtalk: before.dingtalk + 2 });
  await expectNoEchoWrites(p);
}, 150_000);
