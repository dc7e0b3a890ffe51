import { loadConfig } from '../../../shared/platform/config';
import { createLogger, registerSecret, type LogLevel } from '../../../shared/platform/logger';

function capture() {
  const lines: { level: LogLevel; line: string }[] = [];
  const logger = createLogger({ level: 'debug', sink: (level, line) => lines.push({ level, line }) });
  return { logger, lines, text: () => lines.map((l) => l.line).join('\n') };
}

describe('logger keeps secrets out of every line', () => {
  test('config secrets are masked once the config is loaded, in messages, fields, errors and nested values', () => {
    const config = loadConfig({
      GRAPH_CLIENT_SECRET: 'graph-secret-Zx81',
      DINGTALK_APP_SECRET: 'ding-secret-Qw72',
      AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=S3cr3tAccountKey==;',
    });
    const { logger, text, lines } = capture();
    logger.info(`token call with ${config.graph.clientSecret}`, {
      body: `client_id=x&secret_value=${config.dingtalk.appSecret}`,
      err: new Error(`401 for key ${'S3cr3tAccountKey=='}`),
      nested: { deeper: [{ value: config.graph.clientSecret }] },
    });
    expect(lines).toHaveLength(1);
    for (const secret of ['graph-secret-Zx81', 'ding-secret-Qw72', 'S3cr3tAccountKey=='])
      expect(text()).not.toContain(secret);
    expect(JSON.parse(lines[0].line)).toMatchObject({ level: 'info', msg: 'token call with [redacted]' });
  });

  test('secrets registered at run time are masked, also where one contains another', () => {
    registerSecret('rt-token-abcdef');
    registerSecret('rt-token-abcdef-extended-123');
    const { logger, text } = capture();
    logger.warn('refreshed', { note: 'got rt-token-abcdef-extended-123 and rt-token-abcdef' });
    expect(text()).not.toMatch(/rt-token|extended-123/);
  });

  test('a bearer token inside an error message is masked even when nobody registered it', () => {
    const { logger, text } = capture();
    const err = new Error(
      'request failed: Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
    );
    logger.error('graph call failed', { err, detail: 'retry with Bearer abc.def-ghi_jkl~mno' });
    expect(text()).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    expect(text()).not.toContain('abc.def-ghi_jkl~mno');
    expect(text()).toContain('Bearer [redacted]');
  });

  test('credentials in URLs and JSON bodies inside text are masked', () => {
    const { logger, text } = capture();
    logger.info('oauth', {
      url: 'https://login.example/token?client_secret=cs-value-1&grant_type=client_credentials&code=auth-code-2',
      response: '{"access_token":"at-value-3","expires_in":3600,"refresh_token":"rt-value-4"}',
      sas: 'https://acct.blob.core.windows.net/c?sv=2024&sig=sig-value-5',
    });
    for (const v of ['cs-value-1', 'auth-code-2', 'at-value-3', 'rt-value-4', 'sig-value-5'])
      expect(text()).not.toContain(v);
    expect(text()).toContain('grant_type=client_credentials');
    expect(text()).toContain('"expires_in\\":3600');
  });

  test('fields named like secrets are masked whatever they hold', () => {
    const { logger, lines } = capture();
    logger.info('subscription', {
      clientState: 'cs-unregistered-1',
      authorization: 'anything-2',
      headers: { Authorization: 'Basic dXNlcjpwYXNz', 'x-request-id': 'req-1' },
      appSecret: 'as-3',
      connectionString: 'UseDevelopmentStorage=true',
      subscriptionId: 'sub-1',
    });
    const fields = JSON.parse(lines[0].line);
    expect(fields).toMatchObject({
      clientState: '[redacted]',
      authorization: '[redacted]',
      headers: { Authorization: '[redacted]', 'x-request-id': 'req-1' },
      appSecret: '[redacted]',
      connectionString: '[redacted]',
      subscriptionId: 'sub-1',
    });
  });

  test('child loggers keep masking; levels filter', () => {
    const lines: string[] = [];
    const root = createLogger({ level: 'info', sink: (_l, line) => lines.push(line) });
    const child = root.child({ password: 'child-pw-1', pairId: 'alice' });
    child.debug('hidden');
    child.info('shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('child-pw-1');
    expect(JSON.parse(lines[0])).toMatchObject({ pairId: 'alice', password: '[redacted]' });
  });

  test('circular, deep, Date and binary values neither throw nor leak', () => {
    const { logger, lines } = capture();
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    let deep: Record<string, unknown> = { token: 'deep-token-1' };
    for (let i = 0; i < 10; i++) deep = { next: deep };
    logger.info('shapes', {
      circular,
      deep,
      when: new Date('2026-11-22T08:00:00Z'),
      bytes: Buffer.from('raw-bytes-secret'),
    });
    const line = lines[0].line;
    expect(line).not.toContain('deep-token-1');
    expect(line).not.toContain('raw-bytes-secret');
    expect(JSON.parse(line).when).toBe('2026-11-22T08:00:00.000Z');
  });
});
