import type { Intent } from '../../../shared/sync/types';
import { freshStores, userRef } from './store-fixture';

const { stores } = freshStores();
const intents = stores.intents;
const alice = userRef('alice');

const intent: Intent = {
  kind: 'calendar',
  targetSide: 'outlook',
  sourceId: 'dt/event#1',
  originKey: 'origin-123',
  createdAt: '2026-11-22T08:00:00.000Z',
};

describe('TableIntentStore', () => {
  test('put, get, put again (idempotent), remove, remove again', async () => {
    expect(await intents.get(alice, 'calendar', 'outlook', 'dt/event#1')).toBeUndefined();
    await intents.put(alice, intent);
    await intents.put(alice, intent);
    expect(await intents.get(alice, 'calendar', 'outlook', 'dt/event#1')).toEqual(intent);
    await intents.remove(alice, intent);
    expect(await intents.get(alice, 'calendar', 'outlook', 'dt/event#1')).toBeUndefined();
    await expect(intents.remove(alice, intent)).resolves.toBeUndefined();
  });

  test('intents are separate per user, kind and target side', async () => {
    await intents.put(alice, intent);
    expect(await intents.get(userRef('bob'), 'calendar', 'outlook', 'dt/event#1')).toBeUndefined();
    expect(await intents.get(alice, 'todo', 'outlook', 'dt/event#1')).toBeUndefined();
    expect(await intents.get(alice, 'calendar', 'dingtalk', 'dt/event#1')).toBeUndefined();
  });

  test('list returns every pending intent of one user and kind, with replacesId kept', async () => {
    const bob = userRef('bob-list');
    const second: Intent = {
      ...intent,
      sourceId: 'dt/event#2',
      originKey: 'origin-456',
      replacesId: 'AAMk/old',
    };
    await intents.put(bob, intent);
    await intents.put(bob, second);
    await intents.put(bob, { ...intent, kind: 'todo' });
    const listed = await intents.list(bob, 'calendar');
    expect(listed.sort((a, b) => a.sourceId.localeCompare(b.sourceId))).toEqual([intent, second]);
  });
});
