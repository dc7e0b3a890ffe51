/** Pure verification and parsing of inbound webhooks. The HTTP functions call these and do the I/O. */
export type { Rejection, RejectionStatus } from './rejection';
export type { QueryInput } from './query';

export {
  CallbackCryptoError,
  decryptPayload,
  encryptPayload,
  signatureOf,
  signaturesMatch,
} from './dingtalk/crypto';
export {
  DEFAULT_MAX_CALLBACK_BYTES,
  verifyDingTalkCallback,
  type AcceptedCallback,
  type CallbackVerdict,
  type DingTalkCallbackConfig,
  type DingTalkCallbackRequest,
} from './dingtalk/verify-callback';
export { hintsFor, parseDingTalkEvent, type DingTalkEvent, type Hint } from './dingtalk/events';
export { successReply, type SuccessReply } from './dingtalk/reply';

export { DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_ITEMS, type DroppedItem } from './graph/batch-envelope';
export { validationResponse, type ValidationResponse } from './graph/validation';
export {
  clientStateMatches,
  hashClientState,
  newClientState,
  type NewClientState,
} from './graph/client-state';
export {
  subscriptionIdsOf,
  type SubscriptionLookup,
  type SubscriptionSecrets,
} from './graph/subscription-check';
export {
  parseNotificationBatch,
  verifyNotificationItems,
  type AcceptedNotification,
  type NotificationItem,
} from './graph/notifications';
export {
  lifecycleActionFor,
  parseLifecycleBatch,
  verifyLifecycleItems,
  type AcceptedLifecycle,
  type LifecycleAction,
  type LifecycleItem,
} from './graph/lifecycle';
