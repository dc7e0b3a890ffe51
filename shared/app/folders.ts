import type { Kind, Side } from '../sync/types';

/** The folder each side of a kind syncs: the worker, the sweep and the subscriptions must agree on it. */
export const FOLDERS: Record<Kind, Record<Side, string>> = {
  calendar: { dingtalk: 'primary', outlook: 'calendar' },
  mail: { dingtalk: 'INBOX', outlook: 'inbox' },
  todo: { dingtalk: 'tasks', outlook: 'dingtalk' },
  contact: { dingtalk: 'extcontacts', outlook: 'dingtalk' },
};
