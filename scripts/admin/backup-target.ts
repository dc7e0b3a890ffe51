import { BlobServiceClient, type BlockBlobClient } from '@azure/storage-blob';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { PassThrough, pipeline, type Readable, type Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { managedIdentityCredential } from '../../shared/platform/managed-identity';
import type { StorageSettings } from '../../shared/platform/storage';
import { BackupFileError } from '../../shared/store/backup/format';
import { UsageError } from './args';
import type { BackupLocation } from './backup-args';

/**
 * Where a state backup goes and comes from: a local file or a blob on the app's storage account, gzip-compressed
 * when the name ends in .gz (read by its first bytes, so a file unpacked by hand reads too). Both stream: the
 * backup writes as it reads the tables, the restore reads line by line.
 */

export interface BackupSink {
  write(text: string): Promise<void>;
  /** Everything is written and stored. */
  close(): Promise<void>;
  /** After a failure: nothing is left that looks like a backup. */
  abort(): Promise<void>;
}

export interface BackupSource {
  /** The lines, from the first; may be called again for a second pass. */
  lines(): AsyncIterable<string>;
  /** False when the file or blob changed since it was opened. */
  unchanged(): Promise<boolean>;
}

export const describeLocation = (location: BackupLocation) =>
  location.kind === 'file' ? location.path : `blob ${location.container}/${location.name}`;

const nameOf = (location: BackupLocation) => (location.kind === 'file' ? location.path : location.name);

const GZIP_MAGIC = [0x1f, 0x8b];
const BLOCK_BYTES = 4 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 4;

/** The blob service of the app's storage account, signed in as the other admin commands are. */
export function blobServiceFor(settings: StorageSettings): BlobServiceClient {
  if (settings.connectionString) return BlobServiceClient.fromConnectionString(settings.connectionString);
  return new BlobServiceClient(
    `https://${settings.accountName}.blob.core.windows.net`,
    managedIdentityCredential(settings.managedIdentityClientId),
  );
}

export async function openSink(
  location: BackupLocation,
  blobs: () => BlobServiceClient,
): Promise<BackupSink> {
  const gzip = nameOf(location).endsWith('.gz');
  if (location.kind === 'file') return fileSink(location.path, gzip);
  const container = blobs().getContainerClient(location.container);
  await container.createIfNotExists();
  const blob = container.getBlockBlobClient(location.name);
  if (await blob.exists())
    throw new UsageError(`${describeLocation(location)} exists already; give a new name`);
  return blobSink(blob, gzip);
}

export async function openSource(
  location: BackupLocation,
  blobs: () => BlobServiceClient,
): Promise<BackupSource> {
  if (location.kind === 'file') return fileSource(location.path);
  const blob = blobs().getContainerClient(location.container).getBlockBlobClient(location.name);
  let etag: string | undefined;
  try {
    etag = (await blob.getProperties()).etag;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) {
      throw new UsageError(`there is no ${describeLocation(location)}`);
    }
    throw err;
  }
  const download = async (offset: number, count?: number) =>
    (await blob.download(offset, count, { conditions: { ifMatch: etag } })).readableStreamBody as Readable;
  const gzip = await startsWithGzip(await download(0, 2).catch(() => undefined));
  return {
    lines: () => linesOf(() => download(0), gzip),
    unchanged: async () => (await blob.getProperties()).etag === etag,
  };
}

async function fileSink(path: string, gzip: boolean): Promise<BackupSink> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new UsageError(
      code === 'EEXIST'
        ? `${path} exists already; give a new name`
        : `cannot write ${JSON.stringify(path)}: ${(err as Error).message}`,
    );
  }
  const file = createWriteStream('', { fd: handle });
  const sink = streamSink(file, gzip, async () => {
    if (!file.closed) await once(file, 'close');
  });
  return { ...sink, abort: () => sink.abort().then(() => unlink(path).catch(() => undefined)) };
}

function blobSink(blob: BlockBlobClient, gzip: boolean): BackupSink {
  const body = new PassThrough();
  const upload = blob.uploadStream(body, BLOCK_BYTES, UPLOAD_CONCURRENCY, {
    // Never over another backup, even one that appeared since the check.
    conditions: { ifNoneMatch: '*' },
    blobHTTPHeaders: { blobContentType: gzip ? 'application/gzip' : 'application/x-ndjson' },
  });
  const settled = upload.then(
    () => undefined,
    (err: unknown) => err,
  );
  const sink = streamSink(body, gzip, async () => {
    const err = await settled;
    if (err) throw err;
  });
  return {
    ...sink,
    write: async (text) => {
      // The upload stops reading when it fails: its error ends the wait, not a drain that never comes.
      await Promise.race([sink.write(text), settled.then((err) => err && Promise.reject(err))]);
    },
  };
}

/** Text into `out`, through gzip when asked; `done` resolves once `out`'s content is stored. */
function streamSink(out: Writable, gzip: boolean, done: () => Promise<void>): BackupSink {
  const input: Writable = gzip ? createGzip() : out;
  let failed: Error | undefined;
  if (gzip) pipeline(input as Readable & Writable, out, (err) => (failed ??= err ?? undefined));
  input.on('error', (err) => (failed ??= err));
  out.on('error', (err) => (failed ??= err));
  return {
    async write(text) {
      if (failed) throw failed;
      if (!input.write(text)) await once(input, 'drain');
    },
    async close() {
      input.end();
      await done();
      if (failed) throw failed;
    },
    async abort() {
      input.destroy();
      out.destroy();
      await done().catch(() => undefined);
    },
  };
}

async function fileSource(path: string): Promise<BackupSource> {
  let before;
  try {
    before = await stat(path);
  } catch (err) {
    throw new UsageError(`cannot read ${JSON.stringify(path)}: ${(err as Error).message}`);
  }
  const gzip = await startsWithGzip(createReadStream(path, { start: 0, end: 1 }));
  return {
    lines: () => linesOf(async () => createReadStream(path), gzip),
    unchanged: async () => {
      const now = await stat(path);
      return now.size === before.size && now.mtimeMs === before.mtimeMs;
    },
  };
}

async function startsWithGzip(stream: Readable | undefined): Promise<boolean> {
  if (!stream) return false;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const head = Buffer.concat(chunks);
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** The stream's lines (UTF-8, LF or CRLF); an unreadable gzip stream is a BackupFileError. */
async function* linesOf(open: () => Promise<Readable>, gzip: boolean): AsyncIterable<string> {
  const raw = await open();
  const stream = gzip ? pipeline(raw, createGunzip(), () => undefined) : raw;
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of stream) {
      rest += decoder.write(chunk as Buffer);
      let start = 0;
      for (let cut = rest.indexOf('\n'); cut >= 0; cut = rest.indexOf('\n', start)) {
        yield rest.slice(start, rest[cut - 1] === '\r' ? cut - 1 : cut);
        start = cut + 1;
      }
      rest = rest.slice(start);
    }
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('Z_')) {
      throw new BackupFileError(
        `the file is not readable gzip, or it was cut short (${(err as Error).message})`,
      );
    }
    throw err;
  } finally {
    stream.destroy();
  }
  rest += decoder.end();
  if (rest) yield rest;
}
