import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAdminCommand } from '../../scripts/admin/command';
import { undoDepsFrom } from '../../shared/app/undo/undo-deps';
import { dingtalkWith, expectNoEchoWrites, outlookWith } from './support/calendars';
import { startPipeline, type Pipeline } from './support/pipeline';

/**
 * Undo end to end on the sandbox pipeline: copies made both ways by the running product, then one direction's
 * copies of one user in a time range removed through the real adapters; the removals come back through Graph's
 * notifications and the worker, which must send nothing on and copy nothing again.
 */
let p: Pipeline;
const out: string[] = [];

beforeAll(async () => {
  p = await startPipeline();
  await p.onboard();
}, 60000);

afterAll(async () => {
  await p?.stop();
});

const tomorrow = (hour: number) => {
  const d = new Date(Date.now() + 86400e3);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00`;
};

async function undo(...argv: string[]): Promise<number> {
  out.length = 0;
  return runAdminCommand(
    ['undo', ...argv],
    { env: {}, out: (line) => out.push(line), err: (text) => out.push(text) },
    { undo: async (kind) => ({ deps: undoDepsFrom(p.app, p.services, kind), close: async () => undefined }) },
  );
}

function dingtalkEvent(unionId: string, summary: string, hour: number) {
  return p.dingtalk.control.userCreatesEvent(unionId, {
    summary,
    start: { dateTime: `${tomorrow(hour)}+08:00`, timeZone: 'Asia/Shanghai' },
    end: { dateTime: `${tomorrow(hour + 1)}+08:00`, timeZone: 'Asia/Shanghai' },
  });
}

function outlookEvent(entraId: string, subject: string, hour: number) {
  return p.graph.control.createEvent(entraId, {
    subject,
    start: { dateTime: tomorrow(hour), timeZone: 'UTC' },
    end: { dateTime: tomorrow(hour + 1), timeZone: 'UTC' },
  });
}

test("one user's Outlook copies made in a time range are removed; every original stays and nothing comes back", async () => {
  const [zhang, alice] = p.people;
  dingtalkEvent(zhang.unionId, 'Before the range', 8);
  await p.quiet();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const from = new Date().toISOString();
  dingtalkEvent(zhang.unionId, 'Standup 站会', 9);
  dingtalkEvent(zhang.unionId, 'Budget 预算', 10);
  outlookEvent(zhang.entraId, 'From Outlook', 12);
  dingtalkEvent(alice.unionId, 'Alice from DingTalk', 9);
  await p.quiet();
  for (const subject of ['Before the range', 'Standup 站会', 'Budget 预算', 'From Outlook']) {
    expect(outlookWith(p, zhang, subject)).toHaveLength(1);
    expect(dingtalkWith(p, zhang, subject)).toHaveLength(1);
  }
  const to = new Date(Date.now() + 1000).toISOString();
  const plan = join(mkdtempSync(join(tmpdir(), 'undo-e2e-')), 'plan.jsonl');

  const argv = ['--user', zhang.email, '--kind', 'calendar', '--side', 'outlook', '--from', from, '--to', to];
  const listedAt = p.writes();
  expect(await undo(...argv, '--out', plan)).toBe(0);
  expect(p.writes()).toEqual(listedAt);
  expect(
    out
      .filter((line) => line.startsWith('remove\t'))
      .map((line) => line.split('\t')[6])
      .sort(),
  ).toEqual(['Budget 预算', 'Standup 站会']);
  expect(out.filter((line) => line.startsWith('skip\t')).map((line) => line.split('\t')[3])).toEqual([
    'outlook',
  ]);

  const before = p.writes();
  expect(await undo('--apply', '--plan', plan)).toBe(0);
  const removedIds = out.filter((line) => line.startsWith('removed\t')).map((line) => line.split('\t')[5]);
  expect(removedIds).toHaveLength(2);
  const reads = () =>
    removedIds.reduce((n, id) => n + p.graph.control.countRequests('GET', encodeURIComponent(id)), 0);
  const readsByUndo = reads();
  expect(readsByUndo).toBeGreaterThanOrEqual(2);
  await p.quiet();
  // The removals' notifications are decided from the links alone: no read of a copy known to be gone.
  expect(reads()).toBe(readsByUndo);

  // The copies are gone; the originals on both sides, the other direction and the other user are untouched.
  expect(outlookWith(p, zhang, 'Standup 站会')).toEqual([]);
  expect(outlookWith(p, zhang, 'Budget 预算')).toEqual([]);
  for (const subject of ['Before the range', 'Standup 站会', 'Budget 预算', 'From Outlook']) {
    expect(dingtalkWith(p, zhang, subject)).toHaveLength(1);
  }
  expect(outlookWith(p, zhang, 'Before the range')).toHaveLength(1);
  expect(outlookWith(p, zhang, 'From Outlook')).toHaveLength(1);
  expect(outlookWith(p, alice, 'Alice from DingTalk')).toHaveLength(1);
  // Two Graph deletes, and nothing written back to DingTalk when their notifications came in.
  expect(p.writes()).toEqual({ graph: before.graph + 2, dingtalk: before.dingtalk });
  await expectNoEchoWrites(p);

  // A later edit of an original does not make the copy again.
  const [standup] = dingtalkWith(p, zhang, 'Standup 站会');
  p.dingtalk.control.userUpdatesEvent(zhang.unionId, String(standup.id), { summary: 'Standup 站会 (moved)' });
  await p.quiet();
  expect(outlookWith(p, zhang, 'Standup 站会 (moved)')).toEqual([]);
  expect(outlookWith(p, zhang, 'Standup 站会')).toEqual([]);
  await expectNoEchoWrites(p);

  // Every removal is audited.
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const undone = (await p.app.stores.audit.listDay(day)).filter((row) => row.action === 'undo');
  expect(undone.map((row) => [row.pairId, row.side])).toEqual([
    [zhang.entraId, 'outlook'],
    [zhang.entraId, 'outlook'],
  ]);
}, 90000);

test('the DingTalk copies of everyone in a range: removed through the DingTalk adapter, the Outlook originals stay', async () => {
  const [zhang, alice, bob] = p.people;
  const from = new Date().toISOString();
  outlookEvent(alice.entraId, 'Alice from Outlook', 14);
  outlookEvent(bob.entraId, 'Bob from Outlook', 15);
  dingtalkEvent(bob.unionId, 'Bob from DingTalk', 16);
  await p.quiet();
  expect(dingtalkWith(p, alice, 'Alice from Outlook')).toHaveLength(1);
  expect(dingtalkWith(p, bob, 'Bob from Outlook')).toHaveLength(1);
  const to = new Date(Date.now() + 1000).toISOString();
  const plan = join(mkdtempSync(join(tmpdir(), 'undo-e2e-')), 'plan.jsonl');

  expect(
    await undo(
      '--all',
      '--kind',
      'calendar',
      '--side',
      'dingtalk',
      '--from',
      from,
      '--to',
      to,
      '--out',
      plan,
    ),
  ).toBe(0);
  const before = p.writes();
  expect(await undo('--apply', '--plan', plan)).toBe(0);
  expect(
    out
      .filter((line) => line.startsWith('removed\t'))
      .map((line) => line.split('\t')[6])
      .sort(),
  ).toEqual(['Alice from Outlook', 'Bob from Outlook']);
  await p.quiet();
  expect(dingtalkWith(p, alice, 'Alice from Outlook')).toEqual([]);
  expect(dingtalkWith(p, bob, 'Bob from Outlook')).toEqual([]);
  expect(outlookWith(p, alice, 'Alice from Outlook')).toHaveLength(1);
  expect(outlookWith(p, bob, 'Bob from Outlook')).toHaveLength(1);
  expect(outlookWith(p, bob, 'Bob from DingTalk')).toHaveLength(1);
  expect(dingtalkWith(p, bob, 'Bob from DingTalk')).toHaveLength(1);
  expect(p.writes().graph).toBe(before.graph);
  expect(dingtalkWith(p, zhang, 'From Outlook')).toHaveLength(1);
  await expectNoEchoWrites(p);
}, 90000);
