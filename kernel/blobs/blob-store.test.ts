/**
 * The same behaviour from both blob stores: the folder under the data directory, and
 * the S3 adapter against a local S3-compatible server (s3rver on loopback).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobRangeError } from '../contract/blobs.ts';
import type { BlobStore } from './blob-store.ts';
import { createFolderBlobStore } from './folder-blob-store.ts';
import { createS3BlobStore } from './s3-blob-store.ts';

const folders: string[] = [];
const temporaryFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'maskin-blob-test-'));
  folders.push(folder);
  return folder;
};
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function failingStream(): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.from('half of it'));
      } else this.destroy(new Error('client went away'));
    },
  });
}

function conformance(name: string, open: () => Promise<BlobStore>) {
  describe(name, () => {
    let store: BlobStore;
    beforeAll(async () => {
      store = await open();
    });

    it('stores a stream and reads it back whole and by range', async () => {
      const content = 'abcdefghijklmnopqrstuvwxyz'.repeat(1000);
      expect(await store.put('w/a.txt', Readable.from([content.slice(0, 100), content.slice(100)]))).toEqual({
        size: content.length,
      });
      const whole = await store.get('w/a.txt');
      expect(whole?.size).toBe(content.length);
      expect(await text(whole!.body)).toBe(content);
      const part = await store.get('w/a.txt', { start: 26, end: 51 });
      expect(part?.range).toEqual({ start: 26, end: 51 });
      expect(await text(part!.body)).toBe('abcdefghijklmnopqrstuvwxyz');
      const tail = await store.get('w/a.txt', { start: content.length - 3 });
      expect(await text(tail!.body)).toBe('xyz');
    });

    it('refuses a range that starts past the end', async () => {
      await store.put('w/short', Buffer.from('12345'));
      await expect(store.get('w/short', { start: 5 })).rejects.toBeInstanceOf(BlobRangeError);
      // an end past the end is clamped, as HTTP does
      expect(await text((await store.get('w/short', { start: 3, end: 99 }))!.body)).toBe('45');
    });

    it('stores empty blobs, replaces, heads and deletes', async () => {
      await store.put('w/empty', Buffer.alloc(0));
      expect(await store.head('w/empty')).toEqual({ size: 0 });
      expect(await text((await store.get('w/empty'))!.body)).toBe('');
      await store.put('w/empty', Buffer.from('now full'));
      expect(await store.head('w/empty')).toEqual({ size: 8 });
      await store.delete('w/empty');
      expect(await store.head('w/empty')).toBeUndefined();
      expect(await store.get('w/empty')).toBeUndefined();
      await store.delete('w/never-there');
    });

    it('a stream that fails mid-upload leaves no blob behind, and the old one intact', async () => {
      await expect(store.put('w/fails', failingStream())).rejects.toThrow('client went away');
      expect(await store.head('w/fails')).toBeUndefined();
      await store.put('w/kept', Buffer.from('old'));
      await expect(store.put('w/kept', failingStream())).rejects.toThrow('client went away');
      expect(await text((await store.get('w/kept'))!.body)).toBe('old');
    });
  });
}

conformance('folder blob store', async () => createFolderBlobStore(join(temporaryFolder(), 'blobs')));

describe('folder blob store on disk', () => {
  it('keeps blobs private to the server user and leaves no partial files', async () => {
    const root = join(temporaryFolder(), 'blobs');
    const store = createFolderBlobStore(root);
    await store.put('ws/files/one', Buffer.from('secret'));
    await expect(store.put('ws/files/two', failingStream())).rejects.toThrow();
    expect(statSync(join(root, 'ws')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'ws/files/one')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(root, 'ws/files'))).toEqual(['one']);
  });
});

let s3rver: { close(): Promise<void> } | undefined;
conformance('S3 blob store (s3rver on loopback)', async () => {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: temporaryFolder(),
    configureBuckets: [{ name: 'maskin-test' }],
  });
  const { port } = await server.run();
  s3rver = server;
  return createS3BlobStore({
    bucket: 'maskin-test',
    prefix: 'installation-a/',
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });
});
afterAll(async () => {
  await s3rver?.close();
});
