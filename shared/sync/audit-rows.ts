import type { EngineContext } from './engine-context';
import type { AuditAction, Side } from './types';
import { otherSide } from './types';

export interface AuditFacts {
  /** The side written (for a conflict: the side that won). */
  side?: Side;
  ids: Partial<Record<Side, string>>;
  reason: string;
  detail?: string;
  /** When the source item changed (its modifiedAt), for the lag of a create or update. */
  changedAt?: string;
}

/** Int32, what Table Storage keeps a plain number as: about 24 days, past which the lag is shown as that. */
const MAX_LAG_MS = 2_147_483_647;

/** In a dry run every row becomes a 'dry-run' row naming the action that would have happened. */
export async function record<P>(
  ctx: EngineContext<P>,
  action: AuditAction,
  facts: AuditFacts,
): Promise<void> {
  const planned = ctx.policy.dryRun && action !== 'breaker' && action !== 'dry-run';
  const lag = ctx.measuresLag && !planned && facts.changedAt ? ctx.now() - Date.parse(facts.changedAt) : NaN;
  await ctx.audit.record({
    at: new Date(ctx.now()).toISOString(),
    pairId: ctx.user.pairId,
    kind: ctx.kind,
    side: facts.side,
    action: planned ? 'dry-run' : action,
    dingtalkId: facts.ids.dingtalk,
    outlookId: facts.ids.outlook,
    reason: planned ? `${action}: ${facts.reason}` : facts.reason,
    detail: facts.detail,
    ...(lag >= 0 ? { lagMs: Math.min(Math.round(lag), MAX_LAG_MS) } : {}),
  });
}

/** The ids of one item pair for an audit row: `side` holds `id`, the other side holds `otherId`. */
export function idsOf(side: Side, id: string | undefined, otherId?: string): Partial<Record<Side, string>> {
  const ids: Partial<Record<Side, string>> = {};
  if (id !== undefined) ids[side] = id;
  if (otherId !== undefined) ids[otherSide(side)] = otherId;
  return ids;
}
