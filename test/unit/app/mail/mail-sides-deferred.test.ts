/**
 * An instance that syncs no mail must not hold the IMAP client and its MIME and charset libraries: loading the
 * remote services and the worker (the first queue message of any kind) leaves them unloaded, and the first mail
 * pull loads them (docs/benchmarks.md, figure 6). Each library is replaced by itself plus a note that it loaded.
 */
const mockLoaded = new Set<string>();

const MAIL_LIBRARIES = ['imapflow', 'libmime', 'iconv-lite'];
for (const library of MAIL_LIBRARIES) {
  jest.mock(library, () => {
    mockLoaded.add(library);
    return jest.requireActual(library);
  });
}

describe('the mail libraries load with the first mail pull', () => {
  test('loading the remote services and the worker loads none of them', () => {
    /* eslint-disable @typescript-eslint/no-require-imports -- what is measured is what a require loads */
    require('../../../../shared/app/services');
    require('../../../../shared/app/worker');
    require('../../../../shared/app/mail/mail-sides');
    /* eslint-enable @typescript-eslint/no-require-imports */
    expect([...mockLoaded]).toEqual([]);
  });

  test('the IMAP connector, which the mail sides require on first use, loads them', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../../../../shared/connectors/imap');
    expect([...mockLoaded].sort()).toEqual([...MAIL_LIBRARIES].sort());
  });
});
