import { parseAppPasswordCsv, parseCsv } from '../../../../scripts/mail-app-passwords/csv';

const PASSWORDS = ['Pw1-secret-aaaa', 'p,w"2-secret', 'secret-three', 'secret-four-xyz'];

describe('RFC 4180 records', () => {
  test('quotes, doubled quotes, a line break inside quotes, CRLF, CR, BOM and blank lines', () => {
    const text = '\ufeffa,b\r\n\r\n"c,1","d ""q"""\n"multi\nline",x\ry,z\n\n';
    const { records, problems } = parseCsv(text);
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [3, ['c,1', 'd "q"']],
      [4, ['multi\nline', 'x']],
      [6, ['y', 'z']],
    ]);
  });

  test('an unclosed quote is reported at the line where its record starts', () => {
    const { records, problems } = parseCsv('a,b\nc,"unclosed\nmore\n');
    expect(records).toHaveLength(1);
    expect(problems).toEqual([{ line: 2, message: expect.stringMatching(/not closed/) }]);
  });
});

describe('app password CSV', () => {
  test('good lines with or without a header, spaces trimmed outside quotes, addresses normalised', () => {
    const withHeader = `email,app password\r\nAlice@Example.com, ${PASSWORDS[0]} \r\nbob@example.com,"${PASSWORDS[1].replace(/"/g, '""')}"\r\n`;
    const parsed = parseAppPasswordCsv(withHeader);
    expect(parsed.problems).toEqual([]);
    expect(parsed.headerLine).toBe(1);
    expect(parsed.entries).toEqual([
      { line: 2, email: 'alice@example.com', password: PASSWORDS[0] },
      { line: 3, email: 'bob@example.com', password: PASSWORDS[1] },
    ]);
    const noHeader = parseAppPasswordCsv(`alice@example.com,${PASSWORDS[0]}\n`);
    expect(noHeader.headerLine).toBeUndefined();
    expect(noHeader.entries).toHaveLength(1);
    expect(parseAppPasswordCsv(`邮箱,授权码\n张三@example.com,${PASSWORDS[2]}\n`).entries).toEqual([
      { line: 2, email: '张三@example.com', password: PASSWORDS[2] },
    ]);
  });

  test('each bad line is reported with its number and without any field of it', () => {
    const text = [
      'email,app password', // 1 header
      `${PASSWORDS[2]},carol@example.com`, // 2 columns swapped
      `dave@example.com,${PASSWORDS[3]},extra`, // 3 three fields
      'erin@example.com,', // 4 empty password
      '', // 5 blank
      `Zhang San <zhang@example.com>,${PASSWORDS[0]}`, // 6 display name
      `frank@example.com,${PASSWORDS[0]}`, // 7 good
      `FRANK@example.com,${PASSWORDS[2]}`, // 8 same mailbox, other password
      `gina@example.com,${PASSWORDS[3]}`, // 9 good
      `gina@example.com,${PASSWORDS[3]}`, // 10 exact repeat
      `"hank@example.com","tab\there"`, // 11 control character
    ].join('\n');
    const parsed = parseAppPasswordCsv(text);
    expect(parsed.entries).toEqual([{ line: 9, email: 'gina@example.com', password: PASSWORDS[3] }]);
    expect(parsed.repeats).toBe(1);
    expect(parsed.problems.map((p) => p.line)).toEqual([2, 3, 4, 6, 7, 8, 11]);
    const messages = parsed.problems.map((p) => `line ${p.line}: ${p.message}`).join('\n');
    expect(messages).toMatch(
      /line 2: the first field is not a usable e-mail address: the e-mail address has no "@"/,
    );
    expect(messages).toMatch(/line 3: expected 2 fields/);
    expect(messages).toMatch(/line 4: erin@example.com: the app password is empty/);
    expect(messages).toMatch(/line 6: .*bare e-mail address/);
    expect(messages).toMatch(/line 7: frank@example.com appears on lines 7, 8 with different app passwords/);
    expect(messages).toMatch(/line 11: hank@example.com: .*control character/);
    for (const secret of [...PASSWORDS, 'tab\there', 'extra']) expect(messages).not.toContain(secret);
  });

  test('an empty file and a header-only file give nothing to do', () => {
    expect(parseAppPasswordCsv('')).toEqual({ entries: [], problems: [], repeats: 0 });
    expect(parseAppPasswordCsv('\ufeffEmail,App password\r\n').entries).toEqual([]);
  });
});
