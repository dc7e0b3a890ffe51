import { QueueClient } from '@azure/storage-queue';
import type { WorkItem } from '../../../shared/store/types';
import { decodeWorkMessage, SYNC_WORK_QUEUE } from '../../../shared/store/work-queue';
import { InvalidWorkItemError } from '../../../shared/store/work-item';
import { azuriteConnection, freshStores } from './store-fixture';

const { stores, queueName } = freshStores();
const raw = new QueueClient(azuriteConnection(), queueName);

const work: WorkItem = {
  pairId: 'alice',
  kind: 'mail',
  side: 'outlook',
  folder: 'AAMk/inbox==',
  reason: 'notification',
};

describe('StorageWorkQueue', () => {
  test('the production queue name is sync-work', () => {
    expect(SYNC_WORK_QUEUE).toBe('sync-work');
  });

  test('round trip: the message is base64 JSON, as the Functions queue trigger decodes it', async () => {
    await stores.workQueue.enqueue(work);
    await stores.workQueue.enqueue({ ...work, reason: 'resync', resync: true });
    const { receivedMessageItems } = await raw.receiveMessages({ numberOfMessages: 2 });
    expect(receivedMessageItems).toHaveLength(2);
    const [first, second] = receivedMessageItems;
    expect(JSON.parse(Buffer.from(first.messageText, 'base64').toString('utf8'))).toEqual(work);
    expect(decodeWorkMessage(first.messageText)).toEqual(work);
    expect(decodeWorkMessage(second.messageText)).toEqual({ ...work, reason: 'resync', resync: true });
  });

  test('malformed work is refused on enqueue and nothing is sent', async () => {
    await expect(stores.workQueue.enqueue({ ...work, side: 'gmail' as never })).rejects.toBeInstanceOf(
      InvalidWorkItemError,
    );
    await expect(stores.workQueue.enqueue({ ...work, folder: 'x'.repeat(60_000) })).rejects.toBeInstanceOf(
      InvalidWorkItemError,
    );
    expect((await raw.peekMessages()).peekedMessageItems).toHaveLength(0);
  });

  test('malformed messages on the queue are rejected with a clear error on decode', async () => {
    await raw.sendMessage('not base64 at all!');
    await raw.sendMessage(Buffer.from('{"pairId":"a"}').toString('base64'));
    const { receivedMessageItems } = await raw.receiveMessages({ numberOfMessages: 2 });
    expect(() => decodeWorkMessage(receivedMessageItems[0].messageText)).toThrow(/not base64/);
    expect(() => decodeWorkMessage(receivedMessageItems[1].messageText)).toThrow(/kind/);
  });
});
