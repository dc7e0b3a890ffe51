import { hostname } from 'node:os';
import type { Kind } from '../../sync/types';
import type { AppContext } from '../context';
import type { Services } from '../services';
import type { UndoRunDeps } from './undo-run';

/** The kind is not among SYNC_KINDS, so its connectors are not configured: undo cannot reach its copies. */
export class KindNotConfiguredError extends Error {}

/**
 * Undo's ports from the app's own composition root: its stores, and the adapters the worker uses (Graph, DingTalk
 * with its per-second limiter and monthly budget, IMAP with app passwords from Key Vault), so undo reaches each
 * side with exactly the app's credentials and limits.
 */
export function undoDepsFrom(app: AppContext, services: Services, kind: Kind): UndoRunDeps {
  const endpoints = services.endpoints(kind);
  if (!endpoints) {
    throw new KindNotConfiguredError(
      `${kind} is not in SYNC_KINDS of these settings, so its connectors are not configured: add it to run undo`,
    );
  }
  return {
    pairState: app.stores.pairState,
    audit: app.stores.audit,
    users: app.stores.users,
    sides: { dingtalk: endpoints.dingtalk.adapter, outlook: endpoints.outlook.adapter },
    now: () => app.clock.now(),
    // Seen by workers as the lease owner while a pair's copies are removed (docs/state.md, pairstate). The same on
    // every run from this machine, so a re-run after a crash or Ctrl-C takes back the lease the dead run left.
    owner: `undo:${hostname()}`,
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
