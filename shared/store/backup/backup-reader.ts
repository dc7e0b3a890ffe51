import { createHash } from 'node:crypto';
import {
  BackupFileError,
  parseFooter,
  parseHeader,
  parseRow,
  type BackupCounts,
  type BackupFooter,
  type BackupHeader,
} from './format';

/** A checked row, with the size of its line (UTF-8 bytes): about what it weighs in a write's request. */
export type ParsedRow = ReturnType<typeof parseRow> & { bytes: number };

export interface BackupContents {
  header: BackupHeader;
  footer: BackupFooter;
}

/**
 * Reads a backup's lines in one pass, checking everything a restore relies on: the header, every row as a write
 * would check it, the footer's per-table counts and the checksum of all that came before it. `onRow` sees each
 * row as it comes; a restore reads the file once with none, to find any fault before the first write, then again
 * to write. Any fault is a BackupFileError naming the line.
 */
export async function readBackup(
  lines: AsyncIterable<string>,
  onRow?: (row: ParsedRow) => Promise<void> | void,
): Promise<BackupContents> {
  const hash = createHash('sha256');
  const counts: BackupCounts = {};
  let header: BackupHeader | undefined;
  let footer: BackupFooter | undefined;
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (footer) throw new BackupFileError('there is more after the footer, which ends a backup');
      if (!header) {
        header = parseHeader(line);
        for (const table of header.tables) counts[table] = 0;
      } else if (!(footer = parseFooter(line))) {
        const row = { ...parseRow(line), bytes: Buffer.byteLength(line) };
        if (!(row.row.t in counts)) {
          throw new BackupFileError(`a row of the table "${row.row.t}", which the header does not list`);
        }
        counts[row.row.t]++;
        await onRow?.(row);
      }
      if (!footer) hash.update(`${line}\n`);
    }
  } catch (err) {
    if (err instanceof BackupFileError) throw new BackupFileError(`line ${n}: ${err.message}`);
    throw err;
  }
  if (!header) throw new BackupFileError('the file is empty');
  if (!footer) {
    throw new BackupFileError(`the file ends after line ${n}, before its footer: it was cut short`);
  }
  for (const table of new Set([...Object.keys(counts), ...Object.keys(footer.counts)])) {
    if (counts[table] !== footer.counts[table]) {
      throw new BackupFileError(
        `the footer counts ${footer.counts[table] ?? 0} ${table} rows, the file holds ${counts[table] ?? 0}`,
      );
    }
  }
  if (hash.digest('hex') !== footer.sha256) {
    throw new BackupFileError('the checksum does not match the footer: the file was changed or damaged');
  }
  return { header, footer };
}
