import type { FakeGraphServices } from './context';
import { TodoDeltaTracker } from './todo-delta';
import { TodoStore } from './todo-store';

/**
 * The To Do part of one fake Graph: its store and delta tracker, made on first use and kept beside the fake's
 * shared services (one per fake). No change notifications: todoTask subscriptions are delegated-only, and the
 * fake refuses them app-only (subscriptions.ts).
 */

export interface TodoServices {
  store: TodoStore;
  delta: TodoDeltaTracker;
}

const byFake = new WeakMap<FakeGraphServices, TodoServices>();

export function todoServices(s: FakeGraphServices): TodoServices {
  let found = byFake.get(s);
  if (!found) {
    const store = new TodoStore(s.clock);
    found = { store, delta: new TodoDeltaTracker(store) };
    byFake.set(s, found);
  }
  return found;
}
