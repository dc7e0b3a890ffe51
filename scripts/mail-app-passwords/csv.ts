import { checkMailboxAddress } from '../../shared/app/mail/mailbox-address';

/**
 * The admin's CSV of app passwords: "email,app password" per line. RFC 4180 parsing is written out here because no
 * CSV parser is among the installed packages and the format needs only quoting, "" escapes, CRLF/LF and a BOM.
 *
 * Never put a field of a bad line in a message: when the columns are swapped or shifted, any field may be a
 * password. Messages name the line and say what is wrong; a valid address may be named.
 */

export interface CsvRecord {
  /** 1-based line on which the record starts (a quoted field may span lines). */
  line: number;
  fields: string[];
  /** Which fields were quoted: their inner spaces are kept as written. */
  quoted: boolean[];
}

export interface AppPasswordEntry {
  line: number;
  email: string;
  password: string;
}

export interface LineProblem {
  line: number;
  message: string;
}

export interface ParsedAppPasswords {
  entries: AppPasswordEntry[];
  problems: LineProblem[];
  /** Lines that repeated an earlier line exactly (same address, same password); used once. */
  repeats: number;
  headerLine?: number;
}

/** Splits text into records; blank lines give no record. An unclosed quote is reported and ends the parse. */
export function parseCsv(text: string): { records: CsvRecord[]; problems: LineProblem[] } {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const problems: LineProblem[] = [];
  let line = 1;
  let i = 0;
  while (i < input.length) {
    const start = line;
    const fields: string[] = [];
    const quoted: boolean[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      let field = '';
      let wasQuoted = false;
      if (input[i] === '"') {
        wasQuoted = true;
        i++;
        let closed = false;
        while (i < input.length) {
          const c = input[i];
          if (c === '"') {
            if (input[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n' || (c === '\r' && input[i + 1] !== '\n')) line++;
          field += c;
          i++;
        }
        if (!closed) {
          problems.push({
            line: start,
            message: 'a quoted field is not closed (a " is missing); the file was read up to here',
          });
          return { records, problems };
        }
        // Text between the closing quote and the next comma is not RFC 4180; keep it rather than lose it.
        while (i < input.length && input[i] !== ',' && input[i] !== '\r' && input[i] !== '\n')
          field += input[i++];
      } else {
        while (i < input.length && input[i] !== ',' && input[i] !== '\r' && input[i] !== '\n')
          field += input[i++];
      }
      fields.push(field);
      quoted.push(wasQuoted);
      if (input[i] === ',') {
        i++;
        continue;
      }
      if (input[i] === '\r') i++;
      if (input[i] === '\n') i++;
      line++;
      endOfRecord = true;
    }
    const blank = fields.length === 1 && !quoted[0] && fields[0].trim() === '';
    if (!blank) records.push({ line: start, fields, quoted });
  }
  return { records, problems };
}

const HEADER_NAMES = new Set([
  'email',
  'e-mail',
  'email address',
  'e-mail address',
  'mail',
  'mailbox',
  'address',
  'user',
  'username',
  'account',
  '邮箱',
  '邮箱地址',
  '邮件地址',
  '账号',
]);

const MAX_PASSWORD_LENGTH = 1024;

/** Why a password cannot be stored, or undefined when it can. */
export function checkAppPassword(password: string): string | undefined {
  if (password === '') return 'the app password is empty';
  // eslint-disable-next-line no-control-regex -- control characters are what is being refused
  if (/[\u0000-\u001f\u007f]/.test(password))
    return 'the app password contains a line break or control character';
  if (password.length > MAX_PASSWORD_LENGTH)
    return `the app password is longer than ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

/**
 * Entries to write and problems to report. The header line is optional (recognised by its first column's name).
 * Unquoted fields are trimmed, as spreadsheets add spaces after commas; a quoted password is kept exactly.
 */
export function parseAppPasswordCsv(text: string): ParsedAppPasswords {
  const { records, problems } = parseCsv(text);
  const result: ParsedAppPasswords = { entries: [], problems, repeats: 0 };
  const byAddress = new Map<string, AppPasswordEntry[]>();
  records.forEach((record, index) => {
    const value = (n: number) => (record.quoted[n] ? record.fields[n] : record.fields[n].trim());
    if (index === 0 && HEADER_NAMES.has(value(0).toLowerCase())) {
      result.headerLine = record.line;
      return;
    }
    const problem = (message: string) => problems.push({ line: record.line, message });
    if (record.fields.length !== 2) {
      problem(
        `expected 2 fields (email,app password), found ${record.fields.length}; ` +
          'quote a password that contains a comma, e.g. alice@example.com,"pass,word"',
      );
      return;
    }
    const address = checkMailboxAddress(value(0));
    if (!address.ok) {
      problem(`the first field is not a usable e-mail address: ${address.reason}`);
      return;
    }
    const password = value(1);
    const bad = checkAppPassword(password);
    if (bad) {
      problem(`${address.address}: ${bad}`);
      return;
    }
    const entry = { line: record.line, email: address.address, password };
    byAddress.set(address.address, [...(byAddress.get(address.address) ?? []), entry]);
  });
  for (const [address, entries] of byAddress) {
    const first = entries[0];
    if (entries.every((e) => e.password === first.password)) {
      result.entries.push(first);
      result.repeats += entries.length - 1;
      continue;
    }
    const lines = entries.map((e) => e.line);
    for (const e of entries) {
      problems.push({
        line: e.line,
        message: `${address} appears on lines ${lines.join(', ')} with different app passwords; keep one and run again`,
      });
    }
  }
  result.entries.sort((a, b) => a.line - b.line);
  problems.sort((a, b) => a.line - b.line);
  return result;
}
