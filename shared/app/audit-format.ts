import { AUDIT_COLUMNS } from '../store/audit-search';
import type { AuditEntry } from '../sync/types';

/** json: one array; jsonl: one object per line; csv: RFC 4180. */
/** The encodings an export can have. */
export const AUDIT_FORMATS = ['json', 'jsonl', 'csv'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/**
 * The text of an audit export, piece by piece, so rows can be written as they are read: `npm run admin -- audit`
 * and the status page's export share it.
 *
 * CSV follows RFC 4180: records end with CRLF; a field with a comma, a double quote, CR or LF is put in double
 * quotes and its quotes doubled; other fields are bare. It starts with a UTF-8 byte order mark unless asked not
 * to: without one, Excel reads a CSV file in the machine's legacy code page and garbles Chinese text; with one it
 * opens the file as UTF-8, and most other readers (LibreOffice, pandas, Python's utf-8-sig) skip the mark.
 * JSON never has one (RFC 8259 forbids adding it).
 */

export const UTF8_BOM = '\uFEFF';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string | undefined): string {
  const text = value ?? '';
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(fields: ReadonlyArray<string | undefined>): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The same fields in the same order in every format; a field the row lacks is empty (CSV) or left out (JSON). */
function ordered(entry: AuditEntry): Partial<AuditEntry> {
  const out: Record<string, string> = {};
  for (const column of AUDIT_COLUMNS) {
    const value = entry[column];
    if (value !== undefined) out[column] = value;
  }
  return out as Partial<AuditEntry>;
}

export interface AuditEncoder {
  /** Text before the first row. */
  readonly head: string;
  row(entry: AuditEntry, index: number): string;
  /** Text after the last row. */
  readonly tail: string;
}

export function auditEncoder(format: AuditFormat, options: { bom: boolean } = { bom: true }): AuditEncoder {
  switch (format) {
    case 'csv':
      return {
        head: `${options.bom ? UTF8_BOM : ''}${csvRecord(AUDIT_COLUMNS)}`,
        row: (entry) => csvRecord(AUDIT_COLUMNS.map((column) => entry[column])),
        tail: '',
      };
    case 'jsonl':
      return { head: '', row: (entry) => `${JSON.stringify(ordered(entry))}\n`, tail: '' };
    case 'json':
      // One element per line keeps a large export readable and diffable, and still one JSON value.
      return {
        head: '[',
        row: (entry, index) => `${index === 0 ? '\n' : ',\n'}${JSON.stringify(ordered(entry))}`,
        tail: ']\n',
      };
  }
}
