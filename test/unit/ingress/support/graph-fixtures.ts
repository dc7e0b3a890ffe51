import { hashClientState } from '../../../../shared/ingress/graph/client-state';
import type {
  SubscriptionLookup,
  SubscriptionSecrets,
} from '../../../../shared/ingress/graph/subscription-check';

export const CLIENT_STATE = 'q5Xk0w3bJxWk2mC1nJ8o4yQ6f7Z-e9aTbL3uVd0sHgI';
export const SALT = 'c2FsdHNhbHRzYWx0';
export const SUBSCRIPTION_ID = '5522bd62-7c96-4530-85b0-00b916f6151a';
export const OTHER_SUBSCRIPTION_ID = '0f7a8a21-0000-4000-8000-000000000002';
export const OTHER_CLIENT_STATE = 'another-secret-client-state-of-another-subscription';

export const SECRETS: SubscriptionSecrets = {
  clientStateHash: hashClientState(CLIENT_STATE, SALT),
  clientStateSalt: SALT,
  pairId: 'pair-1',
  kind: 'mail',
  folder: 'inbox',
};

const OTHER_SECRETS: SubscriptionSecrets = {
  clientStateHash: hashClientState(OTHER_CLIENT_STATE, 'other-salt'),
  clientStateSalt: 'other-salt',
  pairId: 'pair-2',
  kind: 'calendar',
  folder: 'calendar',
};

export const lookup: SubscriptionLookup = (id) =>
  id === SUBSCRIPTION_ID ? SECRETS : id === OTHER_SUBSCRIPTION_ID ? OTHER_SECRETS : undefined;

export const notification = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  subscriptionId: SUBSCRIPTION_ID,
  subscriptionExpirationDateTime: '2026-11-25T22:11:09.952Z',
  clientState: CLIENT_STATE,
  changeType: 'created',
  resource: 'Users/622eaaff-0683-4862-9de4-f2ec83c2bd98/Messages/AAMkAGUwNjQ4ZjIxAAA=',
  tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
  resourceData: {
    '@odata.type': '#Microsoft.Graph.Message',
    '@odata.id': 'Users/622eaaff-0683-4862-9de4-f2ec83c2bd98/Messages/AAMkAGUwNjQ4ZjIxAAA=',
    '@odata.etag': 'W/"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf"',
    id: 'AAMkAGUwNjQ4ZjIxAAA=',
  },
  ...overrides,
});

export const lifecycleNotification = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  subscriptionId: SUBSCRIPTION_ID,
  subscriptionExpirationDateTime: '2026-11-25T11:00:00.0000000Z',
  tenantId: '84bd8158-6d4d-4958-8b9f-9d6445542f95',
  clientState: CLIENT_STATE,
  lifecycleEvent: 'reauthorizationRequired',
  ...overrides,
});

export const batch = (...items: unknown[]): string => JSON.stringify({ value: items });
