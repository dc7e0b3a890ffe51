import { HttpRequest, InvocationContext } from '@azure/functions';
import { statusUser } from '../../../functions/status-page';
import { setAppContext, type AppContext } from '../../../shared/app/context';
import { FOLDERS } from '../../../shared/app/folders';
import { CHECKPOINT_LINKS } from '../../../shared/app/pipeline/first-sync-progress';
import { processWork, type WorkerDeps } from '../../../shared/app/worker';
import { SANDBOX_DEFAULTS } from '../../../shared/platform/config';
import type { FieldMerge } from '../../../shared/sync/field-merge';
import { mailFieldMerge, mailHash, type MailProjection } from '../../../shared/sync/mail-message';
import type { Side, SideAdapter } from '../../../shared/sync/types';
import { createTestApp, type TestApp } from '../../support/app-context';
import { NOW, POLICY, startMailWorld, type MailWorld } from '../mail/support/mail-world';
import { pairFor } from './support';

/**
 * The user view's first-sync bar during a mail first sync that takes two pulls: the worker with the tables on
 * Azurite, the real IMAP adapter against the sandbox DingTalk Mail server (no Dovecot) and the real Outlook adapter
 * against the sandbox Graph, which throttles one copy (a 429 on the POST) so the first pull stops part-way.
 */

const KEY = SANDBOX_DEFAULTS.STATUS_PAGE_KEY!;
const MAILS = 60;
/** The copy Graph refuses with a 429: the first pull stops after THROTTLED - 1 copies. */
const THROTTLED = 50;
const HOUR = 3_600_000;

let world: MailWorld;
let app: TestApp;
let deps: WorkerDeps;
let pairId: string;
/** The user page as an admin sees it right before each copy; index n-1 for the n-th copy. */
let beforeCopy: string[];

function mail(n: number): Buffer {
  return Buffer.from(
    [
      'From: Partner <orders@partner.example>',
      'To: wang.fang@contoso.example',
      `Subject: Order ${n}`,
      `Message-ID: <order-${n}@partner.example>`,
      `Date: ${new Date(NOW - (MAILS - n) * HOUR).toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Order ${n} is confirmed.`,
      '',
    ].join('\r\n'),
  );
}

const page = async (): Promise<string> => {
  const response = await statusUser(
    new HttpRequest({
      url: `http://127.0.0.1:7071/api/status/user?q=${encodeURIComponent(pairId)}`,
      method: 'GET',
      headers: { 'x-status-key': KEY },
    }),
    new InvocationContext({ functionName: 'test', logHandler: () => undefined }),
  );
  expect(response.status).toBe(200);
  return String(response.body);
};

const pull = (side: Side, reason: string) =>
  processWork(deps, { pairId, kind: 'mail', side, folder: FOLDERS.mail[side], reason });

beforeAll(async () => {
  world = await startMailWorld();
  const person = world.addPerson('wang.fang');
  pairId = person.entraId;
  app = createTestApp({ clock: world.clock, env: { SYNC_KINDS: 'mail' } });
  await app.stores.users.save(
    pairFor(pairId, { email: person.email, userPrincipalName: person.email }, ['mail']),
  );
  for (let n = 1; n <= MAILS; n++) {
    world.imapServer.control.deliver(person.email, 'INBOX', mail(n), {
      internalDate: NOW - (MAILS - n) * HOUR,
    });
  }

  beforeCopy = [];
  const outlook = world.outlook as SideAdapter<MailProjection>;
  const watched: SideAdapter<MailProjection> = {
    side: outlook.side,
    kind: outlook.kind,
    listChanges: (...a) => outlook.listChanges(...a),
    get: (...a) => outlook.get(...a),
    findByOriginKey: (...a) => outlook.findByOriginKey(...a),
    update: (...a) => outlook.update(...a),
    delete: (...a) => outlook.delete(...a),
    create: async (...a) => {
      beforeCopy.push(await page());
      if (beforeCopy.length === THROTTLED) {
        world.graph.fake.control.addFault({
          method: 'POST',
          path: /\/mailFolders\/[^/]+\/messages$/,
          status: 429,
          retryAfterSeconds: 30,
          count: 1,
        });
      }
      return outlook.create(...a);
    },
  };
  deps = {
    stores: app.stores,
    endpoints: (kind) =>
      kind === 'mail'
        ? {
            dingtalk: { adapter: world.dingtalk as SideAdapter<unknown>, folder: FOLDERS.mail.dingtalk },
            outlook: { adapter: watched as SideAdapter<unknown>, folder: FOLDERS.mail.outlook },
          }
        : undefined,
    kinds: {
      mail: {
        hash: mailHash as (p: unknown) => string,
        fieldMerge: mailFieldMerge as FieldMerge<unknown>,
        proveMissing: false,
        deletes: 'ignore',
      },
    },
    policy: POLICY,
    log: app.log,
    now: () => world.clock.now(),
  };
}, 60_000);

afterAll(async () => {
  setAppContext(undefined as unknown as AppContext);
  await world?.stop();
});

test('before any listing: no total yet, said honestly', async () => {
  const html = await page();
  expect(html).toContain('mail 0 matched so far (DingTalk side)');
  expect(html).toContain('its first listing has not ended, so the total is not known yet');
  expect(html).not.toMatch(/mail \d+ \/ \d+ matched/);
});

test('during the first pull the bar shows done / total; a throttled copy stops it at 49 / 60', async () => {
  expect((await pull('dingtalk', 'first-sync')).status).toBe('failed');
  // The claim before the first copy already carries the whole window's total.
  expect(beforeCopy[0]).toContain(`mail 0 / ${MAILS} matched (DingTalk side)`);
  // A checkpoint stored the first 45 links with the figures while the pull went on.
  const during = beforeCopy[CHECKPOINT_LINKS + 2];
  expect(during).toContain(`mail ${CHECKPOINT_LINKS} / ${MAILS} matched (DingTalk side)`);
  expect(during).toContain(
    `<progress max="${MAILS}" value="${CHECKPOINT_LINKS}" aria-label="mail, DingTalk side: first sync">`,
  );

  const after = await page();
  expect(after).toContain(`mail ${THROTTLED - 1} / ${MAILS} matched (DingTalk side)`);
  expect(after).toContain('first sync under way');
  // The Outlook side has not listed yet: the copies it will find are counted, without a total.
  expect(after).toContain(`mail ${THROTTLED - 1} matched so far (Outlook side)`);
  expect(world.graph.fake.control.mailMessages(pairId, 'inbox')).toHaveLength(THROTTLED - 1);
});

test('the retry finishes the DingTalk side at 60 / 60; the Outlook side’s own first sync then ends the kind’s', async () => {
  world.clock.advance(60_000);
  expect(await pull('dingtalk', 'retry')).toMatchObject({ status: 'synced' });
  const retried = await page();
  expect(retried).toContain(`mail ${MAILS} / ${MAILS} matched (DingTalk side)`);
  expect(retried).toContain(`<progress max="${MAILS}" value="${MAILS}"`);
  expect(world.graph.fake.control.mailMessages(pairId, 'inbox')).toHaveLength(MAILS);

  expect(await pull('outlook', 'first-sync')).toMatchObject({ status: 'synced', writes: 0 });
  const done = await page();
  expect(done).toContain(`mail ${MAILS} / ${MAILS} matched (Outlook side)`);
  expect(done.match(/first sync done/g)).toHaveLength(2);
  expect(done).not.toContain('first sync under way');
});
