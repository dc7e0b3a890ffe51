import { ManualClock } from '../../../../shared/platform/clock';
import type { MailProjection } from '../../../../shared/sync/mail-message';
import { startGraphHarness, type GraphHarness } from '../../../support/graph/graph-harness';

/**
 * A 25 MB message crosses into Outlook and back with a bounded footprint: the adapter holds the raw message, the
 * decoded attachment and chunk views of it, not copies per step. The bound is measured on the whole test process,
 * the sandbox Graph's own copies of the message included, so the adapter alone stays well below it.
 */

const MB = 1024 * 1024;
const BUDGET = 256 * MB;

let h: GraphHarness;
beforeEach(async () => {
  h = await startGraphHarness({ clock: new ManualClock(Date.parse('2026-11-22T08:00:00Z')) });
});
afterEach(() => h.stop());

function bigMessage(attachmentBytes: number): Buffer {
  const content = Buffer.alloc(attachmentBytes);
  for (let i = 0; i < content.length; i++) content[i] = (i * 31) & 0xff;
  const b64 = content.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    'From: a@example.cn\r\nTo: li.wei@contoso.example\r\nSubject: big\r\n' +
      'Date: Fri, 20 Nov 2026 09:30:00 +0800\r\nMessage-ID: <big@example.cn>\r\n' +
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n' +
      '--b\r\nContent-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      `${b64}\r\n--b--\r\n`,
  );
}

async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await work();
    return { result, growth: Math.max(peak, process.memoryUsage().rss) - base };
  } finally {
    clearInterval(timer);
  }
}

test('a 25 MB message: create in Outlook and read back its MIME, each within 256 MB of growth', async () => {
  const raw = bigMessage(18 * MB);
  expect(raw.length).toBeGreaterThan(24 * MB);
  const projection: MailProjection = {
    seen: true,
    flagged: false,
    envelope: { subject: 'big', receivedAt: '2026-11-20T01:31:07Z' },
    content: { raw: async () => raw },
  };
  const created = await peakGrowth(() => h.connector.mail.create(h.user, projection, 'big-1'));
  expect(created.growth).toBeLessThan(BUDGET);
  const read = await peakGrowth(() => created.result.projection.content!.raw());
  expect(read.result.length).toBeGreaterThan(24 * MB);
  expect(read.growth).toBeLessThan(BUDGET);
});
