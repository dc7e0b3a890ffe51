import { startFakeDingTalk } from '../../../sandbox/dingtalk';
import { createDingTalkConnectors } from '../../../shared/connectors/dingtalk';
import { DingTalkHttpClient } from '../../../shared/connectors/dingtalk/http-client';
import { loadConfig } from '../../../shared/platform/config';
import { DingTalkTodoAdapter, DINGTALK_TODO_FOLDER } from '../../../shared/connectors/dingtalk/todo-adapter';
import type { Clock } from '../../../shared/platform/clock';
import { TransientRemoteError } from '../../../shared/sync/types';
import { instantToLocal } from '../../../shared/sync/zoned-time';
import { startHarness, type Harness } from '../../integration/dingtalk/support/harness';
import { todoAdapterContract } from '../todo-adapter.contract';
import { loadSchema, moduleOf, queryViolationsOf, violationsOf } from './schema-check';

/**
 * The to-do contract against the fake DingTalk. Its clock moves on by a millisecond at every reading, as real time
 * does between two requests: modifiedTime, which the listing's watermark follows, has millisecond resolution.
 * Every to-do request the adapter sent must fit the SDK's request models (schemas/dingtalk-api.json).
 */

class TickingClock implements Clock {
  constructor(private current = Date.parse('2026-11-22T08:00:00Z')) {}
  now(): number {
    return ++this.current;
  }
}

const schema = loadSchema();

function requestViolations(h: Harness): string[] {
  return h.fake.control
    .exchanges()
    .filter((x) => x.path.startsWith('/v1.0/todo/'))
    .flatMap((x) => {
      const module = moduleOf(schema, x.operation);
      if (!module) return [`${x.operation}: not in the schema`];
      const model = `${x.operation}Request`;
      return [
        ...violationsOf(x.requestBody, model, module.models),
        ...queryViolationsOf(x.query, model, module.models),
      ].map((v) => `${x.method} ${x.template}: ${v}`);
    });
}

todoAdapterContract(
  'DingTalk to-dos against the fake DingTalk',
  { readOnlyForeignItems: true, idlePollCalls: 1, maxCallsPerCreate: 1, maxCallsPerUpdate: 3 },
  async () => {
    const clock = new TickingClock();
    const h = await startHarness({ clock });
    const owner = h.alice.dingtalkUnionId;
    const adapterIn = (timeZone: string) => new DingTalkTodoAdapter({ client: h.client, timeZone, clock });
    const control = h.fake.control;
    return {
      adapter: adapterIn('Asia/Shanghai'),
      adapterIn,
      user: h.alice,
      folder: DINGTALK_TODO_FOLDER,
      remote: {
        // QueryTodoTasks has no token to expire: a cursor DingTalk cannot vouch for is one of another user.
        expiredCursor: async () =>
          (await adapterIn('Asia/Shanghai').listChanges(h.bob, DINGTALK_TODO_FOLDER, undefined)).nextCursor,
        editOutOfBand: async (id, change) => {
          control.userEditsTodo(owner, id, { ...change });
        },
        deleteOutOfBand: async (id) => control.userDeletesTodo(owner, id),
        dueDayAsShown: async (id, timeZone) => {
          const due = control.todosOf(owner).find((t) => t.id === id)?.dueTime;
          return typeof due === 'number' ? instantToLocal(due, timeZone).slice(0, 10) : undefined;
        },
        callsDuring: async (action) => {
          control.clearExchanges();
          await action();
          return control
            .exchanges()
            .filter((x) => x.path.startsWith('/v1.0/todo/'))
            .map((x) => `${x.method} ${x.template}`);
        },
        otherAppCreates: async (subject) => String(control.otherAppCreatesTodo(owner, { subject }).id),
      },
      dispose: async () => {
        const violations = requestViolations(h);
        await h.stop();
        expect(violations).toEqual([]);
      },
    };
  },
);

describe('DingTalk to-do listing costs', () => {
  let h: Harness;
  let adapter: DingTalkTodoAdapter;
  const clock = new TickingClock();

  beforeEach(async () => {
    h = await startHarness({ clock });
    adapter = new DingTalkTodoAdapter({ client: h.client, clock });
  });
  afterEach(() => h.stop());

  const calls = async (action: () => Promise<unknown>) => {
    h.fake.control.clearExchanges();
    await action();
    return h.fake.control
      .exchanges()
      .filter((x) => x.path.startsWith('/v1.0/todo/'))
      .map(
        (x) =>
          `${x.operation}${x.operation === 'QueryTodoTasks' && (x.requestBody as { isRecycled?: boolean }).isRecycled ? ' (recycle bin)' : ''}`,
      );
  };

  test('an idle poll is one metered call, however many to-dos there are', async () => {
    h.fake.control.setTodoOptions({ pageSize: 5 });
    for (let i = 0; i < 12; i++) await adapter.create(h.alice, todo(`Item ${i}`), `dms-cost-${i}`);
    let cursor = (await adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, undefined)).nextCursor;
    for (let poll = 0; poll < 3; poll++) {
      const used = await calls(async () => {
        const page = await adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, cursor);
        expect(page.changes).toEqual([]);
        cursor = page.nextCursor;
      });
      expect(used).toEqual(['QueryTodoTasks']);
    }
  });

  test('a change costs the listing down to the watermark, the recycle bin, and one GetTodoTask per changed to-do', async () => {
    h.fake.control.setTodoOptions({ pageSize: 5 });
    const created = [];
    for (let i = 0; i < 12; i++)
      created.push(await adapter.create(h.alice, todo(`Item ${i}`), `dms-cost-${i}`));
    const cursor = (await adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, undefined)).nextCursor;
    h.fake.control.userEditsTodo(h.alice.dingtalkUnionId, created[2]!.id, { subject: 'Edited' });
    const used = await calls(() => adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, cursor));
    expect(used).toEqual(['QueryTodoTasks', 'QueryTodoTasks (recycle bin)', 'GetTodoTask']);
  });

  test('the echo of our own write costs the listing and the recycle bin, no GetTodoTask; a person’s edit after it does', async () => {
    const created = await adapter.create(h.alice, todo('Ours'), 'dms-echo');
    let cursor = (await adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, undefined)).nextCursor;
    const updated = await adapter.update(h.alice, created.id, {
      ...created.projection,
      subject: 'Ours, edited',
    });
    let page: Awaited<ReturnType<typeof adapter.listChanges>> | undefined;
    let used = await calls(async () => {
      page = await adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, cursor);
    });
    expect(used).toEqual(['QueryTodoTasks', 'QueryTodoTasks (recycle bin)']);
    expect(page?.changes).toEqual([expect.objectContaining({ id: created.id, version: updated.version })]);
    cursor = page!.nextCursor;

    h.fake.control.userEditsTodo(h.alice.dingtalkUnionId, created.id, { subject: 'Edited by Alice' });
    used = await calls(async () => {
      page = await adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, cursor);
    });
    expect(used).toEqual(['QueryTodoTasks', 'QueryTodoTasks (recycle bin)', 'GetTodoTask']);
    expect(page?.changes).toEqual([
      expect.objectContaining({ projection: expect.objectContaining({ subject: 'Edited by Alice' }) }),
    ]);
  });

  test('a deletion alone is seen through the live count: the listing and the recycle bin, no GetTodoTask', async () => {
    const created = await adapter.create(h.alice, todo('Going'), 'dms-going');
    const cursor = (await adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, undefined)).nextCursor;
    h.fake.control.userDeletesTodo(h.alice.dingtalkUnionId, created.id);
    let changes: unknown[] = [];
    const used = await calls(async () => {
      changes = (await adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, cursor)).changes;
    });
    expect(changes).toEqual([{ id: created.id, deleted: true }]);
    expect(used).toEqual(['QueryTodoTasks', 'QueryTodoTasks (recycle bin)']);
  });

  test('a to-do deleted between two pages of a listing hides no other: the listing starts over', async () => {
    h.fake.control.setTodoOptions({ pageSize: 5 });
    const created = [];
    for (let i = 0; i < 12; i++)
      created.push(await adapter.create(h.alice, todo(`Item ${i}`), `dms-shift-${i}`));
    const cursor = (await adapter.listChanges(h.alice, DINGTALK_TODO_FOLDER, undefined)).nextCursor;
    for (const c of created)
      h.fake.control.userEditsTodo(h.alice.dingtalkUnionId, c.id, { subject: `${c.id} edited` });
    // The newest edit is first on the first page; it is deleted right after that page was answered.
    const victim = created[11]!.id;
    let listed = 0;
    const shifting = new DingTalkHttpClient({
      apiBase: h.fake.url,
      oapiBase: h.fake.url,
      tokens: h.tokens,
      clock,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).includes('/tasks/list') && ++listed === 1)
          h.fake.control.userDeletesTodo(h.alice.dingtalkUnionId, victim);
        return response;
      },
    });
    const page = await new DingTalkTodoAdapter({ client: shifting, clock }).listChanges(
      h.alice,
      DINGTALK_TODO_FOLDER,
      cursor,
    );
    const changedIds = page.changes.filter((c) => c.deleted !== true).map((c) => c.id);
    expect(changedIds.sort()).toEqual(
      created
        .filter((c) => c.id !== victim)
        .map((c) => c.id)
        .sort(),
    );
    expect(page.changes.filter((c) => c.deleted === true).map((c) => c.id)).toEqual([victim]);
  });

  test('update right after a get() of the to-do: the write and the re-read only', async () => {
    const created = await adapter.create(h.alice, todo('One'), 'dms-one');
    const read = await adapter.get(h.alice, created.id);
    const used = await calls(() =>
      adapter.update(h.alice, created.id, { ...read!.projection, subject: 'Two' }, read!.version),
    );
    expect(used).toEqual(['UpdateTodoTask', 'GetTodoTask']);
  });

  test('a to-do created done survives a failed second call: the tick-off is retried within the create', async () => {
    h.fake.control.injectFault({
      path: '/tasks/',
      method: 'PUT',
      kind: 'serverError',
      status: 503,
      times: 1,
    });
    const created = await adapter.create(h.alice, { ...todo('Done already'), done: true }, 'dms-done-retry');
    expect(created.projection.done).toBe(true);
    expect(h.fake.control.todosOf(h.alice.dingtalkUnionId).find((t) => t.id === created.id)?.done).toBe(true);
  });

  test('a retried create costs the refused create and one lookup by sourceId', async () => {
    const first = await adapter.create(h.alice, todo('Once'), 'dms-once');
    let second: { id: string } | undefined;
    const used = await calls(async () => {
      second = await adapter.create(h.alice, todo('Once'), 'dms-once');
    });
    expect(second?.id).toBe(first.id);
    expect(used).toEqual(['CreateTodoTask', 'GetTodoTaskBySourceId']);
  });

  test('throttled creates (flow control) are a transient error', async () => {
    h.fake.control.setTodoOptions({ flowControlled: 1 });
    await expect(adapter.create(h.alice, todo('Busy'), 'dms-busy')).rejects.toBeInstanceOf(
      TransientRemoteError,
    );
    await expect(adapter.create(h.alice, todo('Busy'), 'dms-busy')).resolves.toMatchObject({
      originKey: 'dms-busy',
    });
  });
});

test('createDingTalkConnectors wires the to-do adapter, in the configured zone', async () => {
  const base = loadConfig({ SYNC_MODE: 'sandbox' }).dingtalk;
  const fake = await startFakeDingTalk({
    appKey: base.appKey,
    appSecret: base.appSecret,
    corpId: base.corpId,
  });
  try {
    const dt = createDingTalkConnectors(
      { ...base, apiBase: fake.url, oapiBase: fake.url },
      { todoTimeZone: 'Pacific/Honolulu' },
    );
    expect(dt.todo).toBeInstanceOf(DingTalkTodoAdapter);
    expect(dt.todo.timeZone).toBe('Pacific/Honolulu');
    const alice = fake.control.addUser({ userid: 'alice', name: 'Alice', org_email: 'alice@corp.example' });
    const user = {
      pairId: 'p',
      dingtalkUserId: 'alice',
      dingtalkUnionId: alice.unionid,
      entraId: 'e',
      email: '',
    };
    const created = await dt.todo.create({ ...user, priority: 'push' }, todo('Wired'), 'dms-wired');
    const due = fake.control.todosOf(alice.unionid).find((t) => t.id === created.id)?.dueTime as number;
    expect(instantToLocal(due, 'Pacific/Honolulu')).toBe('2026-12-01T23:59:00');
  } finally {
    await fake.stop();
  }
});

function todo(subject: string) {
  return { subject, body: '', done: false, importance: 'normal' as const, dueDate: '2026-12-01' };
}
