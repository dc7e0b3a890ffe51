import fc from 'fast-check';
import { appPasswordSecretName, mailboxOfSecretName } from '../../../../shared/app/mail/app-password-names';
import { checkMailboxAddress, normalizeMailbox } from '../../../../shared/app/mail/mailbox-address';

const VAULT_NAME = /^[0-9a-zA-Z-]{1,127}$/;

describe('mailbox addresses', () => {
  test.each([
    ['alice@example.com', 'alice@example.com'],
    ['  Alice.Wang@Example.COM ', 'alice.wang@example.com'],
    ["o'brien+sync@mail.example.co.uk", "o'brien+sync@mail.example.co.uk"],
    ['张三@例子.中国', '张三@例子.中国'],
    ['zhang.san@钉钉.com', 'zhang.san@钉钉.com'],
  ])('%j is accepted as %j', (input, address) => {
    expect(checkMailboxAddress(input)).toEqual({ ok: true, address });
  });

  test.each([
    ['', /empty/],
    ['张三', /no "@"/],
    ['Zhang San <zhang@example.com>', /bare e-mail address/],
    ['zhang san@example.com', /space/],
    ['a@b@example.com', /more than one "@"/],
    ['@example.com', /nothing before/],
    ['alice@', /no domain/],
    ['alice@localhost', /at least one dot/],
    ['.alice@example.com', /dot/],
    ['al..ice@example.com', /dot/],
    ['"alice"@example.com', /quoted/],
    ['alice@[192.0.2.1]', /address literals/],
    ['alice@192.0.2.1', /IP address/],
    ['alice@-example.com', /invalid part/],
    ['alice@example..com', /invalid part/],
    [`${'a'.repeat(65)}@example.com`, /longer than 64/],
    [`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.com`, /longer than 254/],
    ['alice,bob@example.com', /not allowed/],
  ])('%j is refused', (input, reason) => {
    const check = checkMailboxAddress(input);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(reason);
  });

  test('composed and decomposed Unicode are one address', () => {
    expect(normalizeMailbox('Jose\u0301@example.com')).toBe(normalizeMailbox('JOS\u00c9@example.com'));
  });
});

describe('Key Vault secret names of app passwords', () => {
  test('readable, valid, and the same for any spelling of an address', () => {
    expect(appPasswordSecretName('alice.wang@example.com')).toBe('imap-alice-2ewang-40example-2ecom');
    expect(appPasswordSecretName('Alice.Wang@EXAMPLE.com ')).toBe('imap-alice-2ewang-40example-2ecom');
    expect(appPasswordSecretName('a-b@x.io')).toBe('imap-a-2db-40x-2eio');
    expect(appPasswordSecretName('张三@例子.中国')).toMatch(VAULT_NAME);
  });

  test('a long address gets the hashed form, still valid and distinct', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(60)}.example.com`;
    const name = appPasswordSecretName(long);
    expect(name).toMatch(/^imap--sha256-[0-9a-f]{64}$/);
    expect(name).toMatch(VAULT_NAME);
    expect(mailboxOfSecretName(name)).toBeUndefined();
    expect(appPasswordSecretName(long.replace(/^a/, 'c'))).not.toBe(name);
  });

  test('names decode back to the address, so two distinct addresses never share one', () => {
    const local = fc.stringMatching(/^[a-zA-Z0-9._%+'-]{1,30}$/).filter((s) => !/^\.|\.$|\.\./.test(s));
    const unicode = fc.constantFrom('张三', 'müller', 'ñandú', 'łukasz', 'o-o');
    const domain = fc.constantFrom('example.com', 'ding.example.cn', '例子.中国', 'x-y.io');
    fc.assert(
      fc.property(fc.oneof(local, unicode), domain, (l, d) => {
        const address = `${l}@${d}`;
        const name = appPasswordSecretName(address);
        expect(name).toMatch(VAULT_NAME);
        if (!name.startsWith('imap--sha256-'))
          expect(mailboxOfSecretName(name)).toBe(normalizeMailbox(address));
      }),
      { numRuns: 500 },
    );
  });

  test('distinct addresses give distinct names, including those that differ only in escaped characters', () => {
    const addresses = [
      'a.b@example.com',
      'a-b@example.com',
      'a-2eb@example.com',
      'a_b@example.com',
      'ab@example.com',
      'a.b@example-com.com',
      'h-2dx@example.com',
    ];
    const names = addresses.map(appPasswordSecretName);
    expect(new Set(names).size).toBe(addresses.length);
  });

  test('names that are not app passwords decode to nothing', () => {
    for (const name of ['graph-refresh-token', 'imap-', 'imap-a-zz', 'imap-A-4', 'imap--sha256-00']) {
      expect(mailboxOfSecretName(name)).toBeUndefined();
    }
    expect(mailboxOfSecretName('IMAP-ALICE-40X-2EIO')).toBe('alice@x.io');
  });
});
