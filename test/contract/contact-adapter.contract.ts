import type { ContactCard } from '../../shared/sync/contact-card';
import { PermanentRemoteError, type UserRef } from '../../shared/sync/types';
import {
  drain,
  freshOriginKey as key,
  items,
  sideAdapterContract,
  type SideFixture,
  type SideRemoteControl,
  useFixture,
} from './side-adapter.contract';

/**
 * The SideAdapter contract for contacts, the same for every side: the generic part (side-adapter.contract.ts)
 * and what only contacts have (labels, the mobile number DingTalk requires, Outlook's own folder, DingTalk's
 * shared roster). A side's test file calls contactAdapterContract(name, capabilities, makeFixture) with its
 * adapter wired to its fake. What only one side has is declared in `capabilities` and its tests are defined only
 * for that side, so no test is ever skipped.
 */

export type ContactEdit = { name?: string; company?: string; notes?: string };

export interface ContactRemoteControl extends SideRemoteControl<ContactEdit> {
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

export interface ContactContractFixture extends SideFixture<ContactCard, ContactEdit> {
  remote: ContactRemoteControl;
  /** Three label names of the org (DingTalk labels, and the Outlook categories treated as labels). */
  labels: [string, string, string];
  /** What the side keeps of a card written to it (DingTalk drops an e-mail its API does not take). */
  stored(card: ContactCard): ContactCard;
  /** Remote calls the adapter has made so far (metered calls on DingTalk, requests on Graph). */
  remoteCalls(): number;
  ownFolder?: OwnFolderControl;
  followers?: FollowerRosterControl;
}

export function contactAdapterContract(
  name: string,
  capabilities: ContactCapabilities,
  makeFixture: () => Promise<ContactContractFixture>,
): void {
  describe(`contact adapter contract: ${name}`, () => {
    const fixture = useFixture(makeFixture);
    let seq = 0;
    const card = (overrides: Partial<ContactCard> = {}): ContactCard => ({
      name: `Contact ${++seq}`,
      company: 'Contoso Trading',
      title: 'Buyer',
      email: `buyer${seq}@supplier.example`,
      mobile: `+86 1380013${String(8000 + seq).padStart(4, '0')}`,
      address: 'No. 1 Wangjing East Road, Beijing',
      notes: 'Met at the trade fair.\nPrefers WeChat.',
      labels: [fixture().labels[0]],
      ...overrides,
    });

    sideAdapterContract(fixture, {
      sample: () => card(),
      withText: (c, name) => ({ ...c, name }),
      textOf: (c) => c.name,
      textEdit: (name) => ({ name }),
      changed: (c) => ({ ...c, company: 'Fabrikam', title: 'Head of purchasing', notes: 'New notes' }),
      expectKept: (f, actual, written) => {
        expect(actual).toEqual(f.stored(written));
      },
      listsOriginKey: capabilities.listsOriginKey,
      unchangedUpdateKeepsVersion: true,
      staleCursor: capabilities.cursorsExpire
        ? async (f, cursor) => {
            await f.remote.expireCursors!();
            return cursor;
          }
        : undefined,
      malformedCursors: ['not-a-cursor', 'dtc1:%%%', 'outlook-contact:e30', ''],
    });

    // The generic tests edit the name only; DingTalk keeps our stamp in the notes (remark), which the owner may
    // overwrite.
    test("the owner's edits of company and notes are read back, each with a new version", async () => {
      const f = fixture();
      const created = await f.adapter.create(f.user, card(), key());
      await f.remote.editOutOfBand(created.id, { company: 'Edited by the owner' });
      const edited = await f.adapter.get(f.user, created.id);
      expect(edited?.projection.company).toBe('Edited by the owner');
      expect(edited?.version).not.toBe(created.version);
      await f.remote.editOutOfBand(created.id, { notes: 'Still wanted' });
      const noted = await f.adapter.get(f.user, created.id);
      expect(noted?.projection).toMatchObject({ company: 'Edited by the owner', notes: 'Still wanted' });
      expect(noted?.version).not.toBe(edited?.version);
    });

    test('Chinese names, companies, titles, addresses and notes round-trip', async () => {
      const f = fixture();
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
      const f = fixture();
      const [a, b, c] = f.labels;
      const created = await f.adapter.create(f.user, card({ labels: [b, a].sort() }), key());
      expect((await f.adapter.get(f.user, created.id))?.projection.labels).toEqual([a, b].sort());
      const updated = await f.adapter.update(f.user, created.id, { ...created.projection, labels: [c] });
      expect(updated.projection.labels).toEqual([c]);
      expect((await f.adapter.get(f.user, created.id))?.projection.labels).toEqual([c]);
    });

    test('an update costs at most two remote calls, a conditional delete too', async () => {
      const f = fixture();
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

    if (capabilities.requiresMobile) {
      test('a card without a mobile number is refused for good, and nothing is created', async () => {
        const f = fixture();
        const baseline = await drain(f, undefined);
        const error = await f.adapter.create(f.user, card({ mobile: '' }), key()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PermanentRemoteError);
        expect((error as Error).message).toMatch(/requires a mobile number/);
        expect((await drain(f, baseline.cursor)).changes).toEqual([]);
      });
    }

    if (capabilities.ownFolder) {
      test("the person's own Contacts folder is never touched, and its contacts never appear", async () => {
        const f = fixture();
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
        const f = fixture();
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
        const f = fixture();
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
