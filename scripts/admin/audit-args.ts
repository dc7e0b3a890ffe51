import { AUDIT_FORMATS, type AuditFormat } from '../../shared/app/audit-format';
import { AUDIT_ACTIONS, type AuditAction, type Kind, type Side } from '../../shared/sync/types';
import { addDays } from '../../shared/store/day';
import { KINDS, UsageError } from './args';

/** The command line of `npm run admin -- audit …`: which days and rows of the audit table to export, and how. */

export const AUDIT_SIDES: readonly Side[] = ['dingtalk', 'outlook'];
export { AUDIT_ACTIONS };

/** Days the export covers when no --from is given: the day of --to and the six before it. */
export const DEFAULT_DAYS = 7;
/** A leap year: one whole retention period (365 days) whichever day it starts. */
export const MAX_DAYS = 366;

export interface AuditQuery {
  kind: 'audit';
  /** First and last UTC day, inclusive, as the table's partition keys (yyyyMMdd). */
  fromDay: string;
  toDay: string;
  /** An address (resolved to its pair id) or a pair id, as given. */
  user?: string;
  syncKind?: Kind;
  side?: Side;
  action?: AuditAction;
  format: AuditFormat;
  /** A file to write; standard output when absent. */
  out?: string;
  /** CSV only: start with a UTF-8 byte order mark. */
  bom: boolean;
}

export const AUDIT_USAGE = `Usage: npm run admin -- audit [options]

Exports audit rows, newest first, one table query per UTC day.

Options:
  --from YYYY-MM-DD   first UTC day (default: ${DEFAULT_DAYS - 1} days before --to)
  --to YYYY-MM-DD     last UTC day, inclusive (default: today); at most ${MAX_DAYS} days in all
  --user <who>        one user: an address of a paired user, or a pair id (also of a user since unpaired)
  --kind <kind>       ${KINDS.join(', ')}
  --side <side>       ${AUDIT_SIDES.join(', ')} (the side written; for a conflict, the side that won)
  --action <action>   ${AUDIT_ACTIONS.join(', ')}
  --format <format>   json (one array, the default), jsonl (one object per line) or csv
  --no-bom            csv: leave out the byte order mark that lets Excel read the file as UTF-8
  --out <file>        write to a file instead of standard output

CSV columns: at, pairId, kind, side, action, dingtalkId, outlookId, reason, detail.`;

const VALUE_FLAGS = ['--from', '--to', '--user', '--kind', '--side', '--action', '--format', '--out'];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as yyyyMMdd; 2026-02-30 and 2026-2-3 are refused, not rolled over. */
function dayOf(flag: string, text: string): string {
  const m = DATE.exec(text);
  const date = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : undefined;
  if (
    !m ||
    !date ||
    date.getUTCFullYear() !== +m[1] ||
    date.getUTCMonth() !== +m[2] - 1 ||
    date.getUTCDate() !== +m[3]
  ) {
    throw new UsageError(`${flag} must be a date as YYYY-MM-DD, not ${JSON.stringify(text)}`);
  }
  return `${m[1]}${m[2]}${m[3]}`;
}

function oneOf<T extends string>(flag: string, allowed: readonly T[], value: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Days from `fromDay` to `toDay`, both included. */
export function daysBetween(fromDay: string, toDay: string): number {
  const ms = (day: string) => Date.UTC(+day.slice(0, 4), +day.slice(4, 6) - 1, +day.slice(6, 8));
  return Math.round((ms(toDay) - ms(fromDay)) / 86_400_000) + 1;
}

/** `argv` is what follows "audit"; `today` is the current UTC day (yyyyMMdd). */
export function parseAuditArgs(argv: string[], today: string): AuditQuery | { kind: 'audit-help' } {
  let from: string | undefined;
  let to: string | undefined;
  const query: Omit<AuditQuery, 'fromDay' | 'toDay'> = { kind: 'audit', format: 'json', bom: true };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { kind: 'audit-help' };
    if (seen.has(arg)) throw new UsageError(`${arg} is given twice`);
    seen.add(arg);
    if (arg === '--no-bom') {
      query.bom = false;
      continue;
    }
    if (!VALUE_FLAGS.includes(arg)) throw new UsageError(`unknown argument ${JSON.stringify(arg)} for audit`);
    const v = argv[++i]?.trim();
    if (!v || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    switch (arg) {
      case '--from':
        from = dayOf(arg, v);
        break;
      case '--to':
        to = dayOf(arg, v);
        break;
      case '--user':
        query.user = v;
        break;
      case '--kind':
        query.syncKind = oneOf(arg, KINDS, v);
        break;
      case '--side':
        query.side = oneOf(arg, AUDIT_SIDES, v);
        break;
      case '--action':
        query.action = oneOf(arg, AUDIT_ACTIONS, v);
        break;
      case '--format':
        query.format = oneOf(arg, AUDIT_FORMATS, v);
        break;
      case '--out':
        query.out = v;
        break;
    }
  }
  if (!query.bom && query.format !== 'csv') throw new UsageError('--no-bom applies to --format csv only');
  const toDay = to ?? today;
  const fromDay = from ?? addDays(toDay, -(DEFAULT_DAYS - 1));
  if (toDay < fromDay) {
    throw new UsageError(`--to (${isoOf(toDay)}) is before --from (${isoOf(fromDay)})`);
  }
  const days = daysBetween(fromDay, toDay);
  if (days > MAX_DAYS) {
    throw new UsageError(`the range covers ${days} days; at most ${MAX_DAYS} at once (the audit keeps 365)`);
  }
  return { ...query, fromDay, toDay };
}

/** yyyyMMdd as YYYY-MM-DD, as the admin typed it. */
export const isoOf = (day: string) => `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}`;
