import type { TodoTask } from '../../shared/sync/todo-task';
import { PermanentRemoteError, type RemoteItem, type SideAdapter } from '../../shared/sync/types';
import {
  drain,
  type Drained,
  freshOriginKey as key,
  items,
  sideAdapterContract,
  type SideFixture,
  type SideRemoteControl,
  useFixture,
} from './side-adapter.contract';

/**
 * The SideAdapter contract for to-dos, the same for every side: the generic part (side-adapter.contract.ts) and
 * what only to-dos have (due days across zones, done, another app's to-dos, call budgets). A side's test file
 * calls todoAdapterContract(name, capabilities, makeFixture) with its adapter wired to its fake, plus a small
 * remote control for what only the remote side can do (a person's edits in the native app, another app's to-dos,
 * the calls the service saw). What one side cannot do at all is a capability, so its tests are not defined there.
 */

export type TodoEdit = { subject?: string; done?: boolean };

export interface TodoRemoteControl extends SideRemoteControl<TodoEdit> {
  /** A cursor that the side must now refuse: made unusable by the service, or not this user's. */
  expiredCursor(cursor: string): Promise<string>;
  /** The due day the owner's app shows for the item, on the wall clock of timeZone; undefined when none. */
  dueDayAsShown(id: string, timeZone: string): Promise<string | undefined>;
  /** The calls the service received while `action` ran, one string per call (token requests apart). */
  callsDuring(action: () => Promise<unknown>): Promise<string[]>;
  /** A to-do another app made for the user (only where capabilities.readOnlyForeignItems). */
  otherAppCreates?(subject: string): Promise<string>;
}

export interface TodoContractFixture extends SideFixture<TodoTask, TodoEdit> {
  /** Another adapter instance for the same service and user, in another owner zone (a fresh process). */
  adapterIn(timeZone: string): SideAdapter<TodoTask>;
  remote: TodoRemoteControl;
}

export interface TodoContractCapabilities {
  /** The side lists items the app may not write (DingTalk: another app's to-dos). */
  readOnlyForeignItems: boolean;
  /** Calls an idle poll may cost. */
  idlePollCalls: number;
  /** Calls a create may cost (the list or folder already known). */
  maxCallsPerCreate: number;
  /** Calls an update that writes may cost. */
  maxCallsPerUpdate: number;
}

/** East of UTC (UTC+14, where midnight is the previous UTC day) and west of it (UTC−10). */
const ZONES = ['Pacific/Kiritimati', 'Pacific/Honolulu', 'Asia/Shanghai'];

export function todoAdapterContract(
  name: string,
  caps: TodoContractCapabilities,
  makeFixture: () => Promise<TodoContractFixture>,
): void {
  describe(`to-do adapter contract: ${name}`, () => {
    const fixture = useFixture(makeFixture);
    let seq = 0;

    const todo = (overrides: Partial<TodoTask> = {}): TodoTask => ({
      subject: `Contract ${++seq}`,
      body: 'Figures for the quarter',
      dueDate: '2026-12-03',
      done: false,
      importance: 'normal',
      ...overrides,
    });

    sideAdapterContract(fixture, {
      // Not the default importance, so that a side dropping it shows.
      sample: () => todo({ importance: 'high' }),
      withText: (t, subject) => ({ ...t, subject }),
      textOf: (t) => t.subject,
      textEdit: (subject) => ({ subject }),
      changed: (t) => ({ ...t, subject: 'Moved to Friday', body: 'New figures', dueDate: '2026-12-05' }),
      expectKept: (_f, actual, written) => {
        expect(actual).toMatchObject(written);
      },
      listsOriginKey: true,
      unchangedUpdateKeepsVersion: true,
      staleCursor: (f, cursor) => f.remote.expiredCursor(cursor),
      malformedCursors: ['not a cursor'],
      restarted: (f) => f.adapterIn('Asia/Shanghai'),
    });

    test('an idle listing after a baseline costs at most its calls', async () => {
      const f = fixture();
      await f.adapter.create(f.user, todo(), key());
      const baseline = await drain(f, undefined);
      let idle: Drained<TodoTask> | undefined;
      const calls = await f.remote.callsDuring(async () => {
        idle = await drain(f, baseline.cursor);
      });
      expect(idle!.changes).toEqual([]);
      expect(calls.length).toBeLessThanOrEqual(caps.idlePollCalls);
    });

    test('calls per create and per update stay within the side budget', async () => {
      const f = fixture();
      const warmUp = await f.adapter.create(f.user, todo(), key());
      let created: RemoteItem<TodoTask> | undefined;
      const createCalls = await f.remote.callsDuring(async () => {
        created = await f.adapter.create(f.user, todo(), key());
      });
      expect(createCalls.length).toBeGreaterThanOrEqual(1);
      expect(createCalls.length).toBeLessThanOrEqual(caps.maxCallsPerCreate);
      const updateCalls = await f.remote.callsDuring(() =>
        f.adapter.update(
          f.user,
          created!.id,
          { ...created!.projection, subject: 'Renamed' },
          created!.version,
        ),
      );
      expect(updateCalls.length).toBeGreaterThanOrEqual(1);
      expect(updateCalls.length).toBeLessThanOrEqual(caps.maxCallsPerUpdate);
      expect(warmUp.id).not.toBe(created!.id);
    });

    test('done round-trips: created done, reopened, and completed by the owner', async () => {
      const f = fixture();
      const created = await f.adapter.create(f.user, todo({ done: true }), key());
      expect(created.projection.done).toBe(true);
      const read = await f.adapter.get(f.user, created.id);
      expect(read?.projection.done).toBe(true);
      expect(read?.projection.completedAt).toEqual(expect.any(String));
      const reopened = await f.adapter.update(
        f.user,
        created.id,
        { ...read!.projection, done: false },
        read!.version,
      );
      expect(reopened.projection.done).toBe(false);
      expect((await f.adapter.get(f.user, created.id))?.projection.done).toBe(false);
      const baseline = await drain(f, undefined);
      await f.remote.editOutOfBand(created.id, { done: true });
      const after = await drain(f, baseline.cursor);
      expect(items(after.changes).find((c) => c.id === created.id)?.projection.done).toBe(true);
    });

    test.each(ZONES)('a due day round-trips without a day shift in %s', async (zone) => {
      const f = fixture();
      const adapter = f.adapterIn(zone);
      const created = await adapter.create(f.user, todo({ dueDate: '2026-12-31' }), key());
      expect(created.projection.dueDate).toBe('2026-12-31');
      expect(await f.remote.dueDayAsShown(created.id, zone)).toBe('2026-12-31');
      expect((await adapter.get(f.user, created.id))?.projection.dueDate).toBe('2026-12-31');
      const listed = items((await drain({ ...f, adapter }, undefined)).changes).find(
        (c) => c.id === created.id,
      );
      expect(listed?.projection.dueDate).toBe('2026-12-31');
      const moved = await adapter.update(f.user, created.id, {
        ...listed!.projection,
        dueDate: '2027-01-01',
      });
      expect(moved.projection.dueDate).toBe('2027-01-01');
      expect(await f.remote.dueDayAsShown(created.id, zone)).toBe('2027-01-01');
      expect((await adapter.get(f.user, created.id))?.projection.dueDate).toBe('2027-01-01');
    });

    if (caps.readOnlyForeignItems) {
      test('an item another app made is listed, and an update of it is refused with PermanentRemoteError', async () => {
        const f = fixture();
        const baseline = await drain(f, undefined);
        const id = await f.remote.otherAppCreates!('Made by another app');
        const after = await drain(f, baseline.cursor);
        const listed = items(after.changes).find((c) => c.id === id);
        expect(listed?.projection.subject).toBe('Made by another app');
        await expect(
          f.adapter.update(f.user, id, { ...listed!.projection, subject: 'Ours' }, listed!.version),
        ).rejects.toBeInstanceOf(PermanentRemoteError);
        expect((await f.adapter.get(f.user, id))?.projection.subject).toBe('Made by another app');
      });
    }
  });
}
