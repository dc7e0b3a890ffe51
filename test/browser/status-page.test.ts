import path from 'node:path';
import type { Page } from 'playwright-core';
import { SANDBOX_DEFAULTS } from '../../shared/platform/config';
import { startLocalHost, type LocalHost } from '../../sandbox/host';
import { startPipeline, type Pipeline } from '../e2e/support/pipeline';
import { registrations } from '../support/functions-core-mock';
import { chromiumMissing, launchChromium, type Browser } from './support/chromium';

/**
 * The status page in a real browser (Debian's chromium) against the product running on the sandbox: the whole
 * pipeline (local Functions host, Azurite, the fake Graph and DingTalk) with the status page's functions served
 * beside it on the same app context. The page renders, its figures are the tables', an action works and its effect
 * is in storage, a request without the key learns nothing, and no secret is anywhere in what the browser gets.
 */

const KEY = SANDBOX_DEFAULTS.STATUS_PAGE_KEY!;
const missing = chromiumMissing();

jest.setTimeout(120_000);

if (missing) {
  test('the browser tests did not run', () => {
    if (process.env.CI) throw new Error(`browser tests need chromium under CI: ${missing}`);
    console.warn(`status page browser tests did not run: ${missing}`);
  });
} else {
  let pipeline: Pipeline;
  let statusHost: LocalHost;
  let browser: Browser;
  let page: Page;
  /** Every HTML body the browser received, to look for secrets in. */
  const seen: string[] = [];

  beforeAll(async () => {
    pipeline = await startPipeline();
    await pipeline.onboard();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading registers the functions, as the worker does
    require('../../functions/status-page');
    statusHost = await startLocalHost({
      appRoot: path.join(__dirname, '../..'),
      port: 0,
      timers: false,
      queues: false,
      functions: [...registrations.values()].filter((f) => f.name.startsWith('status-')),
      log: () => undefined,
    });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('response', async (response) => {
      if ((response.headers()['content-type'] ?? '').startsWith('text/html')) {
        seen.push(await response.text().catch(() => ''));
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await statusHost?.stop();
    await pipeline?.stop();
  });

  const url = (p: string) => `${statusHost.url}${p}`;
  /** The cells of the row whose first cell is `label`, in the table with this id. */
  const row = (tableId: string, label: string) =>
    page.$$eval(
      `#${tableId} tr`,
      (rows, wanted) =>
        rows
          .map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent ?? ''))
          .find((c) => c[0] === wanted) ?? [],
      label,
    );

  test('without the key: 401, and the page names no user and holds no figure', async () => {
    const response = await page.goto(url('/api/status'));
    expect(response!.status()).toBe(401);
    const html = await page.content();
    for (const person of pipeline.people) expect(html).not.toContain(person.email);
    expect(await page.$$('table')).toHaveLength(0);
    const wrong = await page.goto(url('/api/status?key=not-the-key-at-all'));
    expect(wrong!.status()).toBe(401);
  });

  test('with the key: the address loses the key, and the figures are the tables', async () => {
    const response = await page.goto(url(`/api/status?key=${encodeURIComponent(KEY)}`));
    expect(response!.status()).toBe(200);
    expect(page.url()).toBe(url('/api/status'));
    expect(await page.textContent('h1')).toBe('Sync status');
    // The lag picture's section is there; first syncs record no lag, so it says there is none yet.
    expect(await page.textContent('#lag')).toContain('No write with a recorded lag');

    const pairs = await pipeline.app.stores.users.list();
    const active = pairs.filter((p) => p.status === 'active').length;
    expect(active).toBe(pipeline.people.length);
    expect((await row('pairs-table', 'paired and syncing (active)'))[1]).toBe(String(active));
    // Every calendar finished its first sync (onboard waited for it): all in sync on both sides.
    for (const side of ['dingtalk', 'outlook']) {
      const cells = (
        await page.$$eval('#folders-table tr', (rows) =>
          rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent ?? '')),
        )
      ).find((c) => c[0] === 'calendar' && c[1] === side)!;
      expect(cells.slice(2)).toEqual([String(active), '0', '0', String(active), '0', '0']);
    }
    const calls = await pipeline.app.stores.dingtalkCalls.get(
      new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7),
    );
    const used = (await page.$$eval('#dingtalk-table td', (cells) => cells.map((c) => c.textContent)))[0];
    expect(Number(used!.replace(/,/g, ''))).toBe(calls);
  });

  test('retry now from the user page: the pull runs and the failure row is gone from storage', async () => {
    const person = pipeline.people[0];
    await pipeline.app.stores.failures.record(
      { pairId: person.entraId, kind: 'calendar', side: 'outlook', folder: 'calendar', reason: 'sweep' },
      'list events: 503 ServiceUnavailable',
      false,
      Date.now(),
    );
    await page.goto(url(`/api/status?key=${encodeURIComponent(KEY)}`));
    await page.fill('input[name="q"]', person.email);
    await Promise.all([page.waitForURL(/\/api\/status\/user\?q=/), page.click('button[type="submit"]')]);
    expect(await page.textContent('h1')).toBe(`Sync status of ${person.email}`);
    // The first-sync bar holds the state row's figures: onboarding's first sync of each side ran to its end.
    const { state } = await pipeline.app.stores.pairState.load(person.entraId, 'calendar');
    for (const [side, name] of [
      ['dingtalk', 'DingTalk'],
      ['outlook', 'Outlook'],
    ] as const) {
      const total = state.sides[side].firstSyncTotal;
      expect(total).toBeDefined();
      expect(state.sides[side].firstSyncDone).toBe(total);
      await expect(page.textContent('#progress-calendar')).resolves.toContain(
        `calendar ${total} / ${total} matched (${name} side) ${total} / ${total} first sync done.`,
      );
    }
    const outlook = page.locator('#sides-calendar tr', { hasText: 'outlook' });
    await expect(outlook.textContent()).resolves.toContain('failing');

    await Promise.all([
      page.waitForURL(/\/api\/status\/action$/),
      outlook.locator('button', { hasText: 'Retry now' }).click(),
    ]);
    expect(await page.textContent('#result')).toContain('Done: a pull of calendar (outlook) was queued');

    await pipeline.quiet();
    expect(await pipeline.app.stores.failures.listForPair(person.entraId)).toEqual([]);
    await page.click('#back');
    await expect(page.locator('#sides-calendar tr', { hasText: 'outlook' }).textContent()).resolves.toContain(
      'in sync',
    );
  });

  test('run preflight: the checks of the running sandbox, each with what it found', async () => {
    await page.goto(url(`/api/status?key=${encodeURIComponent(KEY)}`));
    await Promise.all([page.waitForURL(/\/api\/status\/preflight$/), page.click('#preflight button')]);
    expect(await page.textContent('h1')).toBe('Preflight');
    const checks = await page.$$eval('#preflight-table tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent ?? '')),
    );
    const byTitle = new Map(checks.map((c) => [c[1], c[0]]));
    expect(byTitle.get('Storage account reachable')).toBe('passed');
    expect(byTitle.get('Microsoft Graph application permissions')).toMatch(/passed|warning|failed/);
    expect(checks.length).toBeGreaterThanOrEqual(5);
    expect(await page.textContent('#preflight-summary')).toMatch(/check|passed/);
  });

  test('a preflight posted without the form token of the page is refused', async () => {
    const response = await page.request.post(url('/api/status/preflight'), {
      headers: { 'x-status-key': KEY },
      form: { csrf: 'not-the-token' },
    });
    expect(response.status()).toBe(403);
    expect(await response.text()).not.toContain('preflight-table');
  });

  test('no secret of the sandbox is anywhere the browser was sent', () => {
    const secrets = [
      ...pipeline.app.config.secretValues,
      SANDBOX_DEFAULTS.GRAPH_CLIENT_SECRET!,
      SANDBOX_DEFAULTS.DINGTALK_APP_SECRET!,
      SANDBOX_DEFAULTS.DINGTALK_CALLBACK_TOKEN!,
      SANDBOX_DEFAULTS.DINGTALK_CALLBACK_AES_KEY!,
      KEY,
    ];
    expect(seen.length).toBeGreaterThan(4);
    for (const html of seen) for (const secret of secrets) expect(html).not.toContain(secret);
  });
}
