import type { FieldMerge } from './field-merge';
import { canonicalJson, fnv1a64 } from './stable-hash';
import type { Side } from './types';

/**
 * Field-by-field merge for kinds whose projection is a record of independent fields (to-dos, contacts): a subject
 * changed in Outlook and a due date changed in DingTalk between two pulls both survive, and a side that did not
 * change a field never flips it back (docs/sync-engine.md, "Merged fields").
 *
 * The link keeps a short hash per field rather than the values, so the base costs a few characters per field and
 * holds no personal data. Each field has a rule saying who holds it:
 * - `both`: either side may change it; the side that changed it since the last sync wins.
 * - `dingtalk-owned`: both sides show it, but DingTalk's API cannot change it after creation (a to-do's priority, an
 *   external contact's mobile number and e-mail). DingTalk's value wins when it has one; Outlook's is kept only while
 *   DingTalk's is empty, so an empty DingTalk field never wipes Outlook's.
 * - `dingtalk-only` / `outlook-only`: only that side holds it (DingTalk's due time of day; Outlook's reminder, which
 *   DingTalk's API takes on create but never returns). That side's value is kept, and the other is never written
 *   for it.
 * - `unhashed`: carried along when an item is written for another reason, never compared (a completion time each
 *   side stamps itself).
 */
export type FieldRule = 'both' | 'dingtalk-owned' | 'dingtalk-only' | 'outlook-only' | 'unhashed';

export type FieldRules<P> = { readonly [K in keyof Required<P>]: FieldRule };

export interface RecordMerge<P> extends FieldMerge<P> {
  /** The hash stored in the link: a prefix and one short hash per compared field, in the rules' order. */
  hash(projection: P): string;
  heldHash(side: Side, projection: P): string;
}

const HELD_BY: Record<Side, ReadonlySet<FieldRule>> = {
  dingtalk: new Set<FieldRule>(['both', 'dingtalk-only']),
  outlook: new Set<FieldRule>(['both', 'dingtalk-owned', 'outlook-only']),
};

const isEmpty = (value: unknown): boolean =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** Eight hex digits of FNV-1a 64 over the value's canonical JSON: enough to tell a changed field from an unchanged one. */
const fieldHash = (value: unknown): string => fnv1a64(canonicalJson(isEmpty(value) ? null : value)).slice(8);

export function recordMerge<P extends object>(prefix: string, rules: FieldRules<P>): RecordMerge<P> {
  const fields = Object.keys(rules) as Array<keyof P & string>;
  const compared = fields.filter((f) => rules[f] !== 'unhashed');
  const hashOf = (p: P, only: (f: keyof P & string) => boolean) =>
    `${prefix}:${compared.map((f) => (only(f) ? fieldHash(p[f]) : '-')).join('.')}`;

  return {
    hash: (p) => hashOf(p, () => true),
    heldHash: (side, p) => hashOf(p, (f) => HELD_BY[side].has(rules[f])),
    merge(base, pulled, other, pulledSide) {
      if (!base.startsWith(`${prefix}:`)) return undefined;
      const synced = base.slice(prefix.length + 1).split('.');
      if (synced.length !== compared.length) return undefined;
      const baseOf = new Map(compared.map((f, i) => [f, synced[i]]));
      const dingtalk = pulledSide === 'dingtalk' ? pulled : other;
      const outlook = pulledSide === 'outlook' ? pulled : other;
      const merged = { ...pulled };
      for (const f of fields) {
        merged[f] = pick(rules[f], f);
      }
      return merged;

      function pick(rule: FieldRule, f: keyof P & string): P[keyof P & string] {
        switch (rule) {
          case 'both':
            return fieldHash(pulled[f]) !== baseOf.get(f) ? pulled[f] : other[f];
          case 'dingtalk-owned':
            return isEmpty(dingtalk[f]) ? outlook[f] : dingtalk[f];
          case 'dingtalk-only':
            return dingtalk[f];
          case 'outlook-only':
            return outlook[f];
          case 'unhashed':
            return isEmpty(pulled[f]) ? other[f] : pulled[f];
        }
      }
    },
  };
}
