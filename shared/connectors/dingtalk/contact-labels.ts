import { systemClock, type Clock } from '../../platform/clock';
import type { BudgetPriority } from './budget-governor';
import { callExtContact } from './contact-roster';
import type { DingTalkHttpClient } from './http-client';

/**
 * The org's external-contact labels (外部联系人标签), read with topapi/extcontact/listlabelgroups ("获取外部联系人标签
 * 列表", open.dingtalk.com): groups of {name, id}. Contacts carry label ids, the card carries label names, and
 * Outlook shows them as categories of the same name.
 *
 * One catalogue per process, shared by every user: it is re-read after `ttlMs`, or earlier (at most once per
 * `missRefreshMs`) when a contact carries an id or the card a name it does not know, so a label added in the app
 * is picked up without waiting for the TTL. Names compare without regard to case and width, as people type
 * category names in Outlook.
 */

interface WireLabelGroup {
  name?: string;
  color?: number;
  labels?: { name?: string; id?: number }[];
}

interface LabelGroupsReply {
  errcode: number;
  results?: WireLabelGroup[];
}

export interface ContactLabel {
  id: number;
  name: string;
  group: string;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 100;

const keyOf = (name: string) => name.normalize('NFKC').trim().toLowerCase();

/** One read of the catalogue: look-ups both ways, in the org's order (first group, first label first). */
export class LabelCatalogue {
  private readonly byId = new Map<number, ContactLabel>();
  private readonly byName = new Map<string, ContactLabel[]>();

  constructor(
    readonly labels: readonly ContactLabel[],
    readonly loadedAt: number,
  ) {
    for (const label of labels) {
      this.byId.set(label.id, label);
      const key = keyOf(label.name);
      this.byName.set(key, [...(this.byName.get(key) ?? []), label]);
    }
  }

  nameOf(id: number): string | undefined {
    return this.byId.get(id)?.name;
  }

  /** Names of the ids the catalogue knows; unknown ids (a label deleted since) are left out. */
  namesOf(ids: readonly number[]): string[] {
    return ids.flatMap((id) => this.byId.get(id)?.name ?? []);
  }

  has(name: string): boolean {
    return this.byName.has(keyOf(name));
  }

  knowsAll(ids: readonly number[]): boolean {
    return ids.every((id) => this.byId.has(id));
  }

  /**
   * Ids for names; a name that is no label is dropped. Where two groups hold a label of the same name, an id the
   * contact already has (`prefer`) is kept, so a write does not move the contact from one to the other.
   */
  idsOf(names: readonly string[], prefer: readonly number[] = []): number[] {
    const ids: number[] = [];
    for (const name of names) {
      const candidates = this.byName.get(keyOf(name)) ?? [];
      const chosen = candidates.find((l) => prefer.includes(l.id)) ?? candidates[0];
      if (chosen && !ids.includes(chosen.id)) ids.push(chosen.id);
    }
    return ids;
  }

  /** DingTalk refuses a contact without labels; this is the one a contact gets when none of its names is a label. */
  defaultId(): number | undefined {
    return this.labels[0]?.id;
  }
}

export interface DingTalkContactLabelsOptions {
  client: DingTalkHttpClient;
  /** How long a catalogue is used before it is read again (default 10 minutes). */
  ttlMs?: number;
  /** Least time between two reads caused by an unknown id or name (default 60 s). */
  missRefreshMs?: number;
  clock?: Clock;
}

export class DingTalkContactLabels {
  private readonly client: DingTalkHttpClient;
  private readonly ttlMs: number;
  private readonly missRefreshMs: number;
  private readonly clock: Clock;
  private cached: LabelCatalogue | undefined;
  private loading: Promise<LabelCatalogue> | undefined;

  constructor(options: DingTalkContactLabelsOptions) {
    this.client = options.client;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.missRefreshMs = options.missRefreshMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * The catalogue, read again when older than the TTL. One read at a time, whoever asks; it is charged to the budget
   * at the priority of the caller that starts it.
   */
  async catalogue(priority?: BudgetPriority): Promise<LabelCatalogue> {
    if (this.cached && this.clock.now() - this.cached.loadedAt < this.ttlMs) return this.cached;
    return this.reload(priority);
  }

  /** A catalogue that knows these ids, unless it was read less than missRefreshMs ago (then they are gone). */
  async forIds(ids: readonly number[], priority?: BudgetPriority): Promise<LabelCatalogue> {
    const catalogue = await this.catalogue(priority);
    if (catalogue.knowsAll(ids) || this.clock.now() - catalogue.loadedAt < this.missRefreshMs)
      return catalogue;
    return this.reload(priority);
  }

  /** A catalogue that knows these names, under the same rule. */
  async forNames(names: readonly string[], priority?: BudgetPriority): Promise<LabelCatalogue> {
    const catalogue = await this.catalogue(priority);
    if (names.every((n) => catalogue.has(n)) || this.clock.now() - catalogue.loadedAt < this.missRefreshMs) {
      return catalogue;
    }
    return this.reload(priority);
  }

  /** Is this Outlook category a DingTalk label? (What the Outlook contact adapter syncs of a contact's categories.) */
  async isLabel(name: string): Promise<boolean> {
    return (await this.catalogue()).has(name);
  }

  async namesOf(ids: readonly number[]): Promise<string[]> {
    return (await this.forIds(ids)).namesOf(ids);
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private reload(priority: BudgetPriority | undefined): Promise<LabelCatalogue> {
    this.loading ??= this.load(priority).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** One metered call per 100 groups; an org has a handful. */
  private async load(priority: BudgetPriority | undefined): Promise<LabelCatalogue> {
    const startedAt = this.clock.now();
    const labels: ContactLabel[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const reply = await callExtContact<LabelGroupsReply>(
        this.client,
        'listlabelgroups',
        { offset: page * PAGE_SIZE, size: PAGE_SIZE },
        priority,
      );
      const groups = reply.results ?? [];
      for (const group of groups) {
        for (const l of group.labels ?? []) {
          if (typeof l.id === 'number' && l.name)
            labels.push({ id: l.id, name: l.name, group: group.name ?? '' });
        }
      }
      if (groups.length < PAGE_SIZE) break;
    }
    this.cached = new LabelCatalogue(labels, startedAt);
    return this.cached;
  }
}
