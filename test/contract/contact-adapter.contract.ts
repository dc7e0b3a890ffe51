import type { ContactCard } from '../../shared/sync/contact-card';
import {
  CursorExpiredError,
  isDeletion,
  PermanentRemoteError,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  type UserRef,
  VersionConflictRemoteError,
} from '../../shared/sync/types';

/**
 * The SideAdapter contract for contacts, the same for every side. A side's test file calls
 * contactAdapterContract(name, capabilities, makeFixture) with its adapter wired to its fake. What only one side
 * has is declared in `capabilities` and its tests are defined only for that side, so no test is ever skipped.
 */

export interface ContactRemoteControl {
  /** Changes a contact the way its owner would in the native app, not through the adapter. */
  editOutOfBand(id: string, change: { name?: string; company?: string; notes?: string }): Promise<void>;
  deleteOutOfBand(id: string): Promise<void>;
  /** Makes every cursor handed out so far unusable (only where capabilities.cursorsExpire). */
  expireCursors?(): Promise<void>;
}

export interface ContactCapabilities {
  /** The remote side can make the cursors it handed out unusable (Graph 410 SyncStateNotFound). */
  cursorsExpire: boolean;
  /** Listings carry our origin key (Outlook's delta cannot expand extended properties, so they do not). */
  listsOriginKey: boolean;
  /** A card without a mobile number cannot be created (DingTalk). */
  requiresMobile: boolean;
  /** The side works in its own folder and must never touch the person's own address book (Outlook). */
  ownFolder: boolean;
  /** The side lists an org-wide roster, of which a user sees what they follow (DingTalk). */
  followerRoster: boolean;
}

export interface OwnFolderControl {
  /** The person adds a contact to their own default Contacts folder. */
  addToPersonalContacts(name: string): Promise<string>;
  /** API calls that read or wrote the person's default Contacts folder. */
  personalFolderAccesses(): number;
}

export interface FollowerRosterControl {
  /** Other paired users of the same org. */
  others: UserRef[];
  /** A contact followed by that user, added in the app. */
  addFollowedBy(user: UserRef, name: string): Promise<string>;
  /** Org listing calls (topapi/extcontact/list) made so far. */
  orgListingCalls(): number;
  /** How many external contacts the org has. */
  orgContacts(): number;
  rosterMaxAgeMs: number;
  advanceTime(ms: number): Promise<void>;
}

export interface ContactContractFixture {
  adapter: SideAdapter<ContactCard>;
  user: UserRef;
  folder: string;
  remote: ContactRemoteControl;
  /** Three label names of the org (DingTalk labels, and the Outlook categories treated as labels). */
  labels: [string, string, string];
  /** What the side keeps of a card written to it (DingTalk drops an e-mail its API does not take). */
  stored(card: ContactCard): ContactCard;
  /** Remote calls the adapter has made so far (metered calls on DingTalk, requests on Graph). */
  remoteCalls(): number;
  ownFolder?: OwnFolderControl;
  followers?: FollowerRosterControl;
  dispose(): Promise<void>;
}

export function contactAdapterContract(
  name: string,
  capabilities: ContactCapabilities,
  makeFixture: () => Promise<ContactContractFixture>,
): void {
  describe(`contact adapter contract: ${name}`, () => {
    let f: ContactContractFixture;
    let seq = 0;

    beforeEach(async () => {
      f = await makeFixture();
    });
    afterEach(async () => {
      await f.dispose();
    });

    const key = () => `contract-origin-${Date.now()}-${++seq}`;
    const card = (overrides: Partial<ContactCard> = {}): ContactCard => ({
      name: `Contact ${++seq}`,
      company: 'Contoso Trading',
      title: 'Buyer',
      email: `buyer${seq}@supplier.example`,
      mobile: `+86 1380013${String(8000 + seq).padStart(4, '0')}`,
      address: 'No. 1 Wangjing East Road, Beijing',
      notes: 'Met at the trade fair.\nPrefers WeChat.',
      labels: [f.labels[0]],
      ...overrides,
    });

    test('a created contact appears in the next changes', async () => {
      const baseline = await drain(f, undefined);
      const originKey = key();
      const wanted = card({ name: 'Quarterly supplier' });
      const created = await f.adapter.create(f.user, wanted, originKey);
      expect(created.projection).toEqual(f.stored(wanted));
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).find((c) => c.id === created.id);
      expect(seen?.projection).toEqual(f.stored(wanted));
      expect(seen?.version).toBe(created.version);
      if (capabilities.listsOriginKey) expect(seen?.originKey).toBe(originKey);
    });

    test('get reads back what create wrote, with the origin key', async () => {
      const originKey = key();
      const wanted = card();
      const created = await f.adapter.create(f.user, wanted, originKey);
      const read = await f.adapter.get(f.user, created.id);
      expect(read?.projection).toEqual(f.stored(wanted));
      expect(read?.version).toBe(created.version);
      expect(read?.originKey).toBe(originKey);
      expect(read?.matchKeys.length).toBeGreaterThan(0);
    });

    test('an update changes the version, and the new content comes back', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      const baseline = await drain(f, undefined);
      const wanted = {
        ...created.projection,
        company: 'Fabrikam',
        title: 'Head of purchasing',
        notes: 'New notes',
      };
      const updated = await f.adapter.update(f.user, created.id, wanted);
      expect(updated.version).not.toBe(created.version);
      expect(updated.projection).toEqual(f.stored(wanted));
      expect((await f.adapter.get(f.user, created.id))?.projection).toEqual(f.stored(wanted));
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).find((c) => c.id === created.id);
      expect(seen?.version).toBe(updated.version);
      expect(seen?.projection.company).toBe('Fabrikam');
    });

    test('an update that changes nothing keeps the version', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      const again = await f.adapter.update(f.user, created.id, created.projection, created.version);
      expect(again.version).toBe(created.version);
      expect(again.projection).toEqual(created.projection);
    });

    test('a conditional update with the version last read succeeds', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      const read = await f.adapter.get(f.user, created.id);
      const updated = await f.adapter.update(
        f.user,
        created.id,
        { ...created.projection, name: 'Agreed in time' },
        read!.version,
      );
      expect(updated.version).not.toBe(created.version);
      expect((await f.adapter.get(f.user, created.id))?.projection.name).toBe('Agreed in time');
    });

    test('a conditional update with a stale version throws VersionConflictRemoteError and changes nothing', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      await f.remote.editOutOfBand(created.id, { company: 'Edited by the owner' });
      const edited = await f.adapter.get(f.user, created.id);
      expect(edited?.version).not.toBe(created.version);
      await expect(
        f.adapter.update(f.user, created.id, { ...created.projection, company: 'Ours' }, created.version),
      ).rejects.toBeInstanceOf(VersionConflictRemoteError);
      const after = await f.adapter.get(f.user, created.id);
      expect(after?.projection.company).toBe('Edited by the owner');
      expect(after?.version).toBe(edited?.version);
    });

    test('a conditional delete with a stale version throws VersionConflictRemoteError and keeps the contact', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      await f.remote.editOutOfBand(created.id, { notes: 'Still wanted' });
      await expect(f.adapter.delete(f.user, created.id, created.version)).rejects.toBeInstanceOf(
        VersionConflictRemoteError,
      );
      expect((await f.adapter.get(f.user, created.id))?.projection.notes).toBe('Still wanted');
    });

    test('a conditional delete with the current version deletes, and it shows as a deletion', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      const baseline = await drain(f, undefined);
      await f.adapter.delete(f.user, created.id, created.version);
      expect(await f.adapter.get(f.user, created.id)).toBeUndefined();
      const after = await drain(f, baseline.cursor);
      expect(after.changes.filter(isDeletion).map((d) => d.id)).toEqual([created.id]);
    });

    test('a contact deleted by its owner shows as a deletion; deleting it again is no error', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      const baseline = await drain(f, undefined);
      await f.remote.deleteOutOfBand(created.id);
      const after = await drain(f, baseline.cursor);
      expect(after.changes.filter(isDeletion).map((d) => d.id)).toContain(created.id);
      await expect(f.adapter.delete(f.user, created.id)).resolves.toBeUndefined();
    });

    test('an update of a contact that is gone throws NotFoundRemoteError', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      await f.remote.deleteOutOfBand(created.id);
      await expect(f.adapter.update(f.user, created.id, created.projection)).rejects.toMatchObject({
        code: 'remote-not-found',
      });
    });

    test('an edit by the owner shows up with a new version', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      const baseline = await drain(f, undefined);
      await f.remote.editOutOfBand(created.id, { name: 'Renamed in the app' });
      const after = await drain(f, baseline.cursor);
      const seen = items(after.changes).find((c) => c.id === created.id);
      expect(seen?.projection.name).toBe('Renamed in the app');
      expect(seen?.version).not.toBe(created.version);
    });

    test('a bad cursor throws CursorExpiredError, and a fresh listing recovers', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      for (const bad of ['not-a-cursor', 'dtc1:%%%', 'outlook-contact:e30', '']) {
        await expect(f.adapter.listChanges(f.user, f.folder, bad)).rejects.toBeInstanceOf(CursorExpiredError);
      }
      const fresh = await drain(f, undefined);
      expect(fresh.fullListing).toBe(true);
      expect(items(fresh.changes).map((c) => c.id)).toContain(created.id);
    });

    test('a first listing is a full listing; later ones are not', async () => {
      await f.adapter.create(f.user, card(), key());
      const first = await drain(f, undefined);
      expect(first.fullListing).toBe(true);
      const next = await drain(f, first.cursor);
      expect(next.fullListing).toBe(false);
    });

    test('an idle listing after a baseline returns no changes', async () => {
      await f.adapter.create(f.user, card(), key());
      await f.adapter.create(f.user, card(), key());
      const baseline = await drain(f, undefined);
      expect(items(baseline.changes)).toHaveLength(2);
      const idle = await drain(f, baseline.cursor);
      expect(idle.changes).toEqual([]);
      const again = await drain(f, idle.cursor);
      expect(again.changes).toEqual([]);
    });

    test('findByOriginKey finds a created contact and nothing for an unknown key', async () => {
      const originKey = key();
      const created = await f.adapter.create(f.user, card(), originKey);
      const found = await f.adapter.findByOriginKey(f.user, originKey);
      expect(found?.id).toBe(created.id);
      expect(found?.originKey).toBe(originKey);
      expect(await f.adapter.findByOriginKey(f.user, `${originKey}-unknown`)).toBeUndefined();
    });

    test('creating twice with the same origin key gives one contact', async () => {
      const originKey = key();
      const wanted = card({ name: 'Only once' });
      const first = await f.adapter.create(f.user, wanted, originKey);
      const second = await f.adapter.create(f.user, wanted, originKey);
      expect(second.id).toBe(first.id);
      const listing = await drain(f, undefined);
      expect(items(listing.changes).filter((c) => c.projection.name === 'Only once')).toHaveLength(1);
    });

    test('Chinese names, companies, titles, addresses and notes round-trip', async () => {
      const wanted = card({
        name: '张三',
        company: '钉钉（中国）信息技术有限公司',
        title: '采购经理',
        address: '浙江省杭州市余杭区文一西路 969 号',
        notes: '技术负责人；周三下午方便联系。',
      });
      const created = await f.adapter.create(f.user, wanted, key());
      expect((await f.adapter.get(f.user, created.id))?.projection).toEqual(f.stored(wanted));
      const listed = items((await drain(f, undefined)).changes).find((c) => c.id === created.id);
      expect(listed?.projection).toEqual(f.stored(wanted));
      expect(listed?.matchKeys).toContain('name:张三|钉钉(中国)信息技术有限公司');
    });

    test('labels round-trip, sorted, and an update replaces them', async () => {
      const [a, b, c] = f.labels;
      const created = await f.adapter.create(f.user, card({ labels: [b, a].sort() }), key());
      expect((await f.adapter.get(f.user, created.id))?.projection.labels).toEqual([a, b].sort());
      const updated = await f.adapter.update(f.user, created.id, { ...created.projection, labels: [c] });
      expect(updated.projection.labels).toEqual([c]);
      expect((await f.adapter.get(f.user, created.id))?.projection.labels).toEqual([c]);
    });

    test('an update costs at most two remote calls, a conditional delete too', async () => {
      const created = await f.adapter.create(f.user, card(), key());
      let before = f.remoteCalls();
      await f.adapter.update(
        f.user,
        created.id,
        { ...created.projection, title: 'Director' },
        created.version,
      );
      expect(f.remoteCalls() - before).toBeLessThanOrEqual(2);
      expect(f.remoteCalls() - before).toBeGreaterThanOrEqual(1);
      const current = await f.adapter.get(f.user, created.id);
      before = f.remoteCalls();
      await f.adapter.delete(f.user, created.id, current!.version);
      expect(f.remoteCalls() - before).toBeLessThanOrEqual(2);
    });

    if (capabilities.cursorsExpire) {
      test('an expired cursor throws CursorExpiredError, and a fresh listing recovers', async () => {
        const created = await f.adapter.create(f.user, card(), key());
        const baseline = await drain(f, undefined);
        await f.remote.expireCursors!();
        await expect(f.adapter.listChanges(f.user, f.folder, baseline.cursor)).rejects.toBeInstanceOf(
          CursorExpiredError,
        );
        const fresh = await drain(f, undefined);
        expect(items(fresh.changes).map((c) => c.id)).toContain(created.id);
      });
    }

    if (capabilities.requiresMobile) {
      test('a card without a mobile number is refused for good, and nothing is created', async () => {
        const baseline = await drain(f, undefined);
        const error = await f.adapter.create(f.user, card({ mobile: '' }), key()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PermanentRemoteError);
        expect((error as Error).message).toMatch(/requires a mobile number/);
        expect((await drain(f, baseline.cursor)).changes).toEqual([]);
      });
    }

    if (capabilities.ownFolder) {
      test("the person's own Contacts folder is never touched, and its contacts never appear", async () => {
        const own = await f.ownFolder!.addToPersonalContacts('Personal friend');
        const created = await f.adapter.create(f.user, card(), key());
        const listing = await drain(f, undefined);
        await f.adapter.get(f.user, created.id);
        await f.adapter.update(f.user, created.id, { ...created.projection, title: 'CTO' });
        await f.adapter.findByOriginKey(f.user, key());
        await f.adapter.delete(f.user, created.id);
        expect(items(listing.changes).map((c) => c.id)).toEqual([created.id]);
        expect(await f.adapter.get(f.user, own)).toBeUndefined();
        await expect(f.adapter.update(f.user, own, card())).rejects.toMatchObject({
          code: 'remote-not-found',
        });
        await f.adapter.delete(f.user, own);
        expect(f.ownFolder!.personalFolderAccesses()).toBe(0);
      });
    }

    if (capabilities.followerRoster) {
      test('a contact followed by another user never appears, and is not theirs to write', async () => {
        const r = f.followers!;
        const other = r.others[0]!;
        const theirs = await r.addFollowedBy(other, '李四');
        const mine = await f.adapter.create(f.user, card(), key());
        const listing = await drain(f, undefined);
        expect(items(listing.changes).map((c) => c.id)).toEqual([mine.id]);
        expect(await f.adapter.get(f.user, theirs)).toBeUndefined();
        await expect(f.adapter.update(f.user, theirs, card())).rejects.toMatchObject({
          code: 'remote-not-found',
        });
        await f.adapter.delete(f.user, theirs);
        const otherListing = await drain({ ...f, user: other }, undefined);
        expect(items(otherListing.changes).map((c) => c.id)).toEqual([theirs]);
      });

      test("every user's poll within the roster's age shares one org listing", async () => {
        const r = f.followers!;
        for (let i = 0; i < 130; i++)
          await r.addFollowedBy(i % 2 ? f.user : r.others[i % r.others.length]!, `客户 ${i}`);
        const pages = Math.floor(r.orgContacts() / 100) + 1;
        const start = r.orgListingCalls();
        const everyone = [f.user, ...r.others];
        const counts: number[] = [];
        for (const user of everyone)
          counts.push(items((await drain({ ...f, user }, undefined)).changes).length);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(r.orgContacts());
        expect(r.orgListingCalls() - start).toBe(pages);
        await r.advanceTime(r.rosterMaxAgeMs + 1);
        for (const user of everyone) await drain({ ...f, user }, undefined);
        expect(r.orgListingCalls() - start).toBe(2 * pages);
      });
    }
  });
}

interface Drained {
  changes: RemoteChange<ContactCard>[];
  cursor: string;
  fullListing: boolean;
}

/** Reads pages until the adapter says there are no more. */
export async function drain(
  f: Pick<ContactContractFixture, 'adapter' | 'user' | 'folder'>,
  cursor: string | undefined,
): Promise<Drained> {
  const changes: RemoteChange<ContactCard>[] = [];
  let fullListing = false;
  let next = cursor;
  for (let page = 0; page < 100; page++) {
    const result = await f.adapter.listChanges(f.user, f.folder, next);
    changes.push(...result.changes);
    fullListing ||= result.fullListing;
    next = result.nextCursor;
    if (!result.more) return { changes, cursor: next, fullListing };
  }
  throw new Error('listChanges never finished (100 pages)');
}

export const items = (changes: RemoteChange<ContactCard>[]): RemoteItem<ContactCard>[] =>
  changes.filter((c): c is RemoteItem<ContactCard> & { deleted?: false } => !isDeletion(c));
