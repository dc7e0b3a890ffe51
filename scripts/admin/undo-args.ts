import type { Kind, Side } from '../../shared/sync/types';
import { KINDS, UsageError } from './args';

/** The command line of `npm run admin -- undo …` (docs/undo.md). */

export type UndoRequest =
  | {
      kind: 'undo-dry-run';
      /** An address or a pair id, as given; undefined with --all. */
      user?: string;
      syncKind: Kind;
      side?: Side;
      fromMs: number;
      /** Exclusive. */
      toMs: number;
      /** Where to write the plan. */
      out?: string;
    }
  | { kind: 'undo-apply'; plan: string }
  | { kind: 'undo-help' };

export const UNDO_USAGE = `Usage: npm run admin -- undo (--user <who> | --all) --kind <kind> --from <when> --to <when>
                             [--side <side>] [--out <plan file>]
       npm run admin -- undo --apply --plan <plan file>

Removes the copies this product created, never an original (docs/undo.md). The first form is a dry run: it
lists every copy in scope (action remove), copies already gone (gone: their links are marked so the originals
are never copied again) and what it will not touch with the reason (skip), and with --out writes that list as a
plan. The second form removes exactly what the plan lists as remove or gone, each checked again right before.

Options:
  --user <who>        one user: an address of a paired user, or a pair id
  --all               every paired user
  --kind <kind>       ${KINDS.join(', ')}
  --from <when>       copies made at or after: YYYY-MM-DD (UTC day) or an ISO 8601 time with its zone
  --to <when>         ...and up to: YYYY-MM-DD includes that whole UTC day; a time is the exclusive end
  --side <side>       only the copies on dingtalk or on outlook (default: both)
  --out <plan file>   write the plan (JSON Lines) for --apply
  --apply             remove what the plan lists
  --plan <plan file>  the plan a dry run wrote`;

const SIDES: readonly Side[] = ['dingtalk', 'outlook'];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A time must say its zone, so the range never depends on the admin machine's time zone. */
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const VALUE_FLAGS = ['--user', '--kind', '--from', '--to', '--side', '--out', '--plan'];

/** `argv` is what follows "undo". */
export function parseUndoArgs(argv: string[]): UndoRequest {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { kind: 'undo-help' };
    if (values.has(arg) || switches.has(arg)) throw new UsageError(`${arg} is given twice`);
    if (arg === '--all' || arg === '--apply') {
      switches.add(arg);
      continue;
    }
    if (!VALUE_FLAGS.includes(arg)) throw new UsageError(`unknown argument ${JSON.stringify(arg)} for undo`);
    const v = argv[++i]?.trim();
    if (!v || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    values.set(arg, v);
  }
  if (switches.has('--apply')) {
    const plan = values.get('--plan');
    if (!plan) {
      throw new UsageError(
        '--apply needs --plan <file>: the plan a dry run wrote with --out (undo removes only what a dry run listed)',
      );
    }
    const extra = [...values.keys(), ...switches].filter((flag) => flag !== '--plan' && flag !== '--apply');
    if (extra.length)
      throw new UsageError(`with --apply the plan says what to remove: leave out ${extra.join(', ')}`);
    return { kind: 'undo-apply', plan };
  }
  if (values.has('--plan'))
    throw new UsageError('--plan goes with --apply; a dry run writes a plan with --out');
  const user = values.get('--user');
  if (!user === !switches.has('--all')) throw new UsageError('give either --user <who> or --all');
  const syncKind = values.get('--kind');
  if (!syncKind) throw new UsageError('--kind is needed: undo works on one kind at a time');
  if (!(KINDS as readonly string[]).includes(syncKind)) {
    throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, not ${JSON.stringify(syncKind)}`);
  }
  const side = values.get('--side');
  if (side !== undefined && !(SIDES as readonly string[]).includes(side)) {
    throw new UsageError(`--side must be one of ${SIDES.join(', ')}, not ${JSON.stringify(side)}`);
  }
  const from = values.get('--from');
  const to = values.get('--to');
  if (!from || !to) throw new UsageError('--from and --to are needed: undo works on a time range');
  const fromMs = instantOf('--from', from, false);
  const toMs = instantOf('--to', to, true);
  if (toMs <= fromMs) throw new UsageError(`--to (${to}) is not after --from (${from})`);
  return {
    kind: 'undo-dry-run',
    ...(user ? { user } : {}),
    syncKind: syncKind as Kind,
    ...(side ? { side: side as Side } : {}),
    fromMs,
    toMs,
    ...(values.has('--out') ? { out: values.get('--out') } : {}),
  };
}

/** A date is a whole UTC day (its start, or as an end the next day's start); a time is exact. */
function instantOf(flag: string, text: string, end: boolean): number {
  const day = DATE.exec(text.slice(0, 10));
  const dayMs = day ? calendarDay(+day[1], +day[2], +day[3]) : undefined;
  if (dayMs !== undefined && text.length === 10) return end ? dayMs + 86_400_000 : dayMs;
  if (dayMs !== undefined && TIME.test(text) && !Number.isNaN(Date.parse(text))) return Date.parse(text);
  throw new UsageError(
    `${flag} must be a date as YYYY-MM-DD or a time as 2026-05-01T09:00:00+08:00, not ${JSON.stringify(text)}`,
  );
}

/** Midnight UTC of a real calendar day; 2026-02-30 is refused, not rolled over. */
function calendarDay(year: number, month: number, date: number): number | undefined {
  const ms = Date.UTC(year, month - 1, date);
  const d = new Date(ms);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === date
    ? ms
    : undefined;
}
