/**
 * Blobs in any S3-compatible store (AWS S3, MinIO, R2, ...), selected by
 * MASKIN_S3_BUCKET. A streamed put of unknown length is spooled to a temporary file
 * first: PutObject needs the length, and spooling keeps memory bounded whatever the
 * size (multipart upload would need another package for one extension's benefit).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { BlobStore } from './blob-store.ts';
import { resolveRange } from './blob-store.ts';

export interface S3Settings {
  bucket: string;
  /** Key prefix inside the bucket, so one bucket can hold several installations. */
  prefix: string;
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
}

const isMissing = (error: unknown) =>
  error instanceof S3ServiceException &&
  (error.$metadata.httpStatusCode === 404 || error.name === 'NoSuchKey');

export function createS3BlobStore(settings: S3Settings): BlobStore & { close(): void } {
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    // The SDK's default sends streamed bodies aws-chunked with a trailing checksum,
    // which many S3-compatible stores (older MinIO, s3rver, some gateways) store
    // verbatim, framing included. Checksums only where the API requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
        : undefined,
  });
  const Bucket = settings.bucket;
  const keyOf = (key: string) => `${settings.prefix}${key}`;
  const head = async (key: string) => {
    try {
      const answer = await client.send(new HeadObjectCommand({ Bucket, Key: keyOf(key) }));
      return { size: answer.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  };
  return {
    description: `s3 bucket ${Bucket}${settings.endpoint ? ` at ${settings.endpoint}` : ''}`,
    async put(key, body) {
      if (!(body instanceof Readable)) {
        await client.send(
          new PutObjectCommand({ Bucket, Key: keyOf(key), Body: body, ContentLength: body.length }),
        );
        return { size: body.length };
      }
      const folder = await mkdtemp(join(tmpdir(), 'maskin-s3-'));
      try {
        const spool = join(folder, 'blob');
        await pipeline(body, createWriteStream(spool, { mode: 0o600 }));
        const { size } = await stat(spool);
        await client.send(
          new PutObjectCommand({
            Bucket,
            Key: keyOf(key),
            Body: createReadStream(spool),
            ContentLength: size,
          }),
        );
        return { size };
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
    async get(key, range) {
      const info = await head(key);
      if (!info) return undefined;
      const bounds = resolveRange(info.size, range);
      if (info.size === 0) return { size: 0, range: bounds, body: Readable.from([]) };
      try {
        const answer = await client.send(
          new GetObjectCommand({ Bucket, Key: keyOf(key), Range: `bytes=${bounds.start}-${bounds.end}` }),
        );
        return { size: info.size, range: bounds, body: answer.Body as Readable };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    head,
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(key) }));
    },
    close: () => client.destroy(),
  };
}
