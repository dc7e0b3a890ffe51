import type { TableClient } from '@azure/data-tables';
import type { Storage } from '../platform/storage';
import type { Kind } from '../sync/types';
import { entity, type PropertyValue } from './entity-size';
import { statusOf } from './errors';
import { readRow } from './table-ops';
import { TABLE_NAMES } from './table-names';

/**
 * The pause switch: one row for the whole organisation (jobs table, partition "control", row "pause"), so the
 * worker checks it with one cached read per instance whatever the number of pairs (docs/state.md, "jobs").
 *
 * - `paused`: every pair, every kind.
 * - `pausedKinds`: one kind for every pair.
 * - `pausedPairs`: entries "<pairId>" (every kind of the pair) or "<pairId>|<kind>"; at most MAX_PAUSED_PAIRS, so
 *   the row stays far below the entity size limit and the worker's check stays a set lookup.
 *
 * Only the admin command writes it, read-modify-write under the row's ETag, so two admins never undo each other.
 *
 * Operations: read 1 · update 2 (+2 per concurrent update it lost to).
 */
export interface PauseSwitch {
  paused: boolean;
  pausedKinds: Kind[];
  pausedPairs: string[];
  /** When the switch last changed, ms; undefined before its first change. */
  changedAt?: number;
}

/** What one pause or resume names: neither field is the whole organisation. */
export interface PauseScope {
  pairId?: string;
  kind?: Kind;
}

export const MAX_PAUSED_PAIRS = 1000;
/**
 * How long a worker instance trusts the switch as it last read it: a pause takes hold within a minute (this, plus a
 * pull already under way), at no table operation per message.
 */
export const SWITCH_CACHE_MS = 30_000;
/** Entries per property: a string property holds at most 32K characters; 200 entries of ~50 stay well below. */
const ENTRIES_PER_PROPERTY = 200;
const PARTITION = 'control';
const ROW = 'pause';
const MAX_TRIES = 5;

export const NOT_PAUSED: PauseSwitch = { paused: false, pausedKinds: [], pausedPairs: [] };

export class PauseLimitError extends Error {}

export function isPaused(control: PauseSwitch, pairId: string, kind: Kind): boolean {
  return (
    control.paused ||
    control.pausedKinds.includes(kind) ||
    control.pausedPairs.includes(pairId) ||
    control.pausedPairs.includes(pairEntry(pairId, kind))
  );
}

/** Nothing at all is paused. */
export const isIdle = (control: PauseSwitch): boolean =>
  !control.paused && control.pausedKinds.length === 0 && control.pausedPairs.length === 0;

const pairEntry = (pairId: string, kind?: Kind) => (kind ? `${pairId}|${kind}` : pairId);

/** The switch with `scope` paused as well; beyond MAX_PAUSED_PAIRS a PauseLimitError says what to do instead. */
export function withPause(control: PauseSwitch, scope: PauseScope): PauseSwitch {
  if (!scope.pairId && !scope.kind) return { ...control, paused: true };
  if (!scope.pairId) {
    const kinds = control.pausedKinds.includes(scope.kind!)
      ? control.pausedKinds
      : [...control.pausedKinds, scope.kind!];
    return { ...control, pausedKinds: kinds };
  }
  if (scope.pairId.includes('|')) throw new PauseLimitError(`"${scope.pairId}" is not a pair id`);
  const entry = pairEntry(scope.pairId, scope.kind);
  if (control.pausedPairs.includes(entry)) return control;
  if (control.pausedPairs.length >= MAX_PAUSED_PAIRS) {
    throw new PauseLimitError(
      `${MAX_PAUSED_PAIRS} users are paused already, the most the switch holds: resume some, or pause a ` +
        'whole kind or the whole organisation instead',
    );
  }
  return { ...control, pausedPairs: [...control.pausedPairs, entry] };
}

/**
 * The switch with `scope` resumed: the organisation-wide switch, one kind, one pair (all its entries) or one
 * pair's kind. `all` clears everything.
 */
export function withoutPause(control: PauseSwitch, scope: PauseScope | 'all'): PauseSwitch {
  if (scope === 'all') return { ...NOT_PAUSED, changedAt: control.changedAt };
  if (!scope.pairId && !scope.kind) return { ...control, paused: false };
  if (!scope.pairId) return { ...control, pausedKinds: control.pausedKinds.filter((k) => k !== scope.kind) };
  const pairId = scope.pairId;
  const drop = scope.kind
    ? (entry: string) => entry === pairEntry(pairId, scope.kind)
    : (entry: string) => entry === pairId || entry.startsWith(`${pairId}|`);
  return { ...control, pausedPairs: control.pausedPairs.filter((entry) => !drop(entry)) };
}

type ControlRow = {
  paused?: boolean;
  pausedKinds?: string;
  pausedPairChunks?: number;
  changedAt?: Date;
  [chunk: `pausedPairs${number}`]: string | undefined;
};

export class TableControlStore {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.jobs,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async read(): Promise<PauseSwitch> {
    return (await this.readWithEtag()).control;
  }

  private async readWithEtag(): Promise<{ control: PauseSwitch; etag?: string }> {
    const row = await readRow<ControlRow>(await this.table(), PARTITION, ROW);
    return row ? { control: fromRow(row), etag: row.etag } : { control: NOT_PAUSED };
  }

  /**
   * Applies `change` to the row as stored, conditionally on its ETag, and tries again from a fresh read when another
   * admin changed it meanwhile. Returns the switch before and after.
   */
  async update(
    change: (control: PauseSwitch) => PauseSwitch,
    now: number,
  ): Promise<{ before: PauseSwitch; after: PauseSwitch }> {
    const table = await this.table();
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const { control: before, etag } = await this.readWithEtag();
      const after = { ...change(before), changedAt: now };
      const row = entity(PARTITION, ROW, toRow(after));
      try {
        if (etag) await table.updateEntity(row, 'Replace', { etag });
        else await table.createEntity(row);
        return { before, after };
      } catch (err) {
        if (statusOf(err) !== 412 && statusOf(err) !== 409) throw err;
      }
    }
    throw new Error('the pause switch kept changing while it was being written; try again');
  }
}

function toRow(control: PauseSwitch): Record<string, PropertyValue> {
  const row: Record<string, PropertyValue> = {
    paused: control.paused,
    pausedKinds: control.pausedKinds.join(','),
    pausedPairChunks: Math.ceil(control.pausedPairs.length / ENTRIES_PER_PROPERTY),
    changedAt: new Date(control.changedAt ?? 0),
  };
  for (let i = 0; i * ENTRIES_PER_PROPERTY < control.pausedPairs.length; i++) {
    row[`pausedPairs${i}`] = control.pausedPairs
      .slice(i * ENTRIES_PER_PROPERTY, (i + 1) * ENTRIES_PER_PROPERTY)
      .join(',');
  }
  return row;
}

function fromRow(row: ControlRow): PauseSwitch {
  const pausedPairs: string[] = [];
  for (let i = 0; i < (row.pausedPairChunks ?? 0); i++) {
    const chunk = row[`pausedPairs${i}`];
    if (chunk) pausedPairs.push(...chunk.split(','));
  }
  const changedAt = row.changedAt ? new Date(row.changedAt).getTime() : 0;
  return {
    paused: row.paused === true,
    pausedKinds: (row.pausedKinds ? row.pausedKinds.split(',') : []) as Kind[],
    pausedPairs,
    changedAt: changedAt > 0 ? changedAt : undefined,
  };
}
