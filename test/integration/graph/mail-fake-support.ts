import { checkInstance, loadCsdl, type CsdlModel } from '../../support/graph/csdl';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import type { Loose } from '../../support/graph/loose';

/** Raw HTTPS calls to the fake's mail surface, and CSDL checks of what it answers. */

export const IMMUTABLE = 'IdType="ImmutableId"';

export interface Raw {
  status: number;
  headers: Headers;
  body: Loose;
  bytes: Buffer;
}

export interface MailTest {
  h: GraphHarness;
  base: string;
  call(
    url: string,
    init?: {
      method?: string;
      body?: unknown;
      rawBody?: string | Buffer;
      prefer?: string;
      ifMatch?: string;
      headers?: Record<string, string>;
    },
  ): Promise<Raw>;
}

export async function startMailTest(fake: Parameters<typeof startGraphHarness>[0] = {}): Promise<MailTest> {
  const h = await startGraphHarness(fake);
  const base = `${h.fake.url}/v1.0/users/${h.user.entraId}`;
  return {
    h,
    base,
    async call(url, init = {}) {
      const token = await h.connector.tokenProvider.getAccessToken();
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...init.headers };
      if (init.prefer) headers.prefer = init.prefer;
      if (init.ifMatch) headers['if-match'] = init.ifMatch;
      if (init.body !== undefined || init.rawBody !== undefined)
        headers['content-type'] ??= 'application/json';
      const res = await fetch(url.startsWith('https://') ? url : `${base}${url}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
      return {
        status: res.status,
        headers: res.headers,
        body: json && bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined,
        bytes,
      };
    },
  };
}

let model: CsdlModel | undefined;

/** CSDL problems of an entity (or of each entity of a collection) of the given Graph type. */
export function schemaProblems(typeName: string, value: unknown): string[] {
  model ??= loadCsdl();
  return checkInstance(model, typeName, value);
}

export const MESSAGE = 'microsoft.graph.message';

/** A small multipart message with an attachment, as a mail server would deliver it. */
export function sampleMime(subject: string, messageId: string): Buffer {
  return Buffer.from(
    [
      'From: Zhang San <zhang.san@dingtalk.example>',
      'To: Li Wei <li.wei@contoso.example>',
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      'Date: Fri, 20 Nov 2026 09:30:00 +0800',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      '你好, the report is attached.',
      '--b1',
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 fake').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n'),
  );
}
