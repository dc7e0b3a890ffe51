import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { Storage } from '../platform/storage';
import { entity } from './entity-size';
import { ignoreNotFound, translateWriteError } from './errors';
import { encodeKeyPart } from './table-keys';
import { TABLE_NAMES } from './table-names';
import { readRow } from './table-ops';

/**
 * mailcredentials table: one row per mailbox whose app password the mail server rejected, and only while that is
 * so (the row is deleted when a login succeeds again or an admin resets it). Partition = a hash slot of the address
 * (two hex digits of its SHA-256, so writes spread over 256 partitions and a point read needs only the address),
 * row = the address (encodeKeyPart). No password is ever stored: only Key Vault's version id of the one that failed.
 *
 * Operations: get 1 · save 1 · remove 1 · list 1 query per 1,000 rows. Because healthy mailboxes have no row, the
 * whole table is small, and reading all of it is how callers learn which mailboxes have a problem.
 */

export interface MailCredentialRecord {
  /** Normalised mailbox address. */
  email: string;
  /** The pair the mailbox belongs to, when the caller knew it. */
  pairId?: string;
  /** Key Vault version id of the app password that was rejected. */
  secretVersion: string;
  /** Logins rejected with that version. */
  attempts: number;
  firstRejectedAt: string;
  lastRejectedAt: string;
  /** When a login may be tried again; absent once the attempts are used up. */
  nextTryAt?: string;
  /** The attempts are used up: no login until the secret version changes or an admin resets the mailbox. */
  stopped: boolean;
  /** The service's last reply text, when the adapter gave one (never a credential). */
  serverReply?: string;
  etag?: string;
}

type Row = Omit<MailCredentialRecord, 'etag'>;

const MAX_REPLY_LENGTH = 500;

export function mailCredentialKeys(email: string): { partitionKey: string; rowKey: string } {
  const slot = createHash('sha256').update(email, 'utf8').digest('hex').slice(0, 2);
  return { partitionKey: slot, rowKey: encodeKeyPart(email) };
}

export class TableMailCredentialStore {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.mailCredentials,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async get(email: string): Promise<MailCredentialRecord | undefined> {
    const { partitionKey, rowKey } = mailCredentialKeys(email);
    const row = await readRow<Row>(await this.table(), partitionKey, rowKey);
    return row && fromRow(row);
  }

  /** Insert (no etag) or conditional replace; ConcurrencyError when another writer came first. */
  async save(record: MailCredentialRecord): Promise<MailCredentialRecord> {
    const { partitionKey, rowKey } = mailCredentialKeys(record.email);
    const row = entity(partitionKey, rowKey, {
      email: record.email,
      pairId: record.pairId,
      secretVersion: record.secretVersion,
      attempts: record.attempts,
      firstRejectedAt: record.firstRejectedAt,
      lastRejectedAt: record.lastRejectedAt,
      nextTryAt: record.nextTryAt,
      stopped: record.stopped,
      serverReply: record.serverReply?.slice(0, MAX_REPLY_LENGTH),
    });
    const table = await this.table();
    try {
      const result = record.etag
        ? await table.updateEntity(row, 'Replace', { etag: record.etag })
        : await table.createEntity(row);
      return { ...record, etag: result.etag };
    } catch (err) {
      translateWriteError(err, `mail credential state of ${record.email}`);
    }
  }

  async remove(email: string): Promise<void> {
    const { partitionKey, rowKey } = mailCredentialKeys(email);
    await ignoreNotFound((await this.table()).deleteEntity(partitionKey, rowKey));
  }

  /** Every row, up to `limit`; `truncated` says more were left unread. */
  async list(limit: number): Promise<{ records: MailCredentialRecord[]; truncated: boolean }> {
    const records: MailCredentialRecord[] = [];
    const pages = (await this.table()).listEntities<Row>().byPage({ maxPageSize: 1000 });
    for await (const page of pages) {
      for (const row of page) {
        if (records.length >= limit) return { records, truncated: true };
        records.push(fromRow(row));
      }
    }
    return { records, truncated: false };
  }
}

function fromRow(row: Row & { etag?: string }): MailCredentialRecord {
  const record: MailCredentialRecord = {
    email: row.email,
    secretVersion: row.secretVersion,
    attempts: Number(row.attempts),
    firstRejectedAt: row.firstRejectedAt,
    lastRejectedAt: row.lastRejectedAt,
    stopped: row.stopped === true,
    etag: row.etag,
  };
  if (row.pairId) record.pairId = row.pairId;
  if (row.nextTryAt) record.nextTryAt = row.nextTryAt;
  if (row.serverReply) record.serverReply = row.serverReply;
  return record;
}
