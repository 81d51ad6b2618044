/**
 * The files extension on an S3-compatible store (s3rver on loopback, configured with
 * the same MASKIN_S3_* variables an operator sets): upload, whole and ranged
 * download, 416, delete. The bytes really are in the bucket, under the extension's
 * and workspace's prefix.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import type { Member } from '../helpers/work-graph.ts';
import { download, filesStack, multipartOf, upload } from './upload-helpers.ts';

const BUCKET = 'maskin-files';
const folder = mkdtempSync(join(tmpdir(), 'maskin-s3rver-'));
let s3rver: { run(): Promise<{ port: number }>; close(): Promise<void> };
let endpoint: string;
let t: TestKernel;
let owner: Member;

beforeAll(async () => {
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: folder,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await s3rver.run();
  endpoint = `http://127.0.0.1:${port}`;
  t = await createTestKernel({
    extensions: filesStack(),
    env: {
      MASKIN_S3_BUCKET: BUCKET,
      MASKIN_S3_PREFIX: 'install-1/',
      MASKIN_S3_ENDPOINT: endpoint,
      MASKIN_S3_FORCE_PATH_STYLE: 'true',
      MASKIN_S3_ACCESS_KEY_ID: 'S3RVER',
      MASKIN_S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
  });
  owner = await t.signup('Sam');
});
afterAll(async () => {
  await t?.close();
  await s3rver?.close();
  rmSync(folder, { recursive: true, force: true });
});

const bucketKeys = async () => {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  client.destroy();
  return (listed.Contents ?? []).map((object) => object.Key);
};

it('stores, serves ranges of, and deletes files in the bucket', async () => {
  const data = randomBytes(300_000);
  const stored = await upload(t, owner, '/api/files', multipartOf('data.bin', data));
  expect(stored.status, JSON.stringify(stored.body)).toBe(201);
  expect(stored.body.sha256).toBe(createHash('sha256').update(data).digest('hex'));
  const key = `install-1/files/${owner.workspaceId}/files/${stored.body.id}`;
  expect(await bucketKeys()).toContain(key);

  const whole = await download(t, owner, `/api/files/${stored.body.id}/content`);
  expect(whole.status).toBe(200);
  expect(whole.bytes.equals(data)).toBe(true);

  const part = await download(t, owner, `/api/files/${stored.body.id}/content`, { range: 'bytes=1000-1999' });
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
  expect(part.bytes.equals(data.subarray(1000, 2000))).toBe(true);

  const tail = await download(t, owner, `/api/files/${stored.body.id}/content`, { range: 'bytes=-5' });
  expect(tail.bytes.equals(data.subarray(data.length - 5))).toBe(true);

  const past = await download(t, owner, `/api/files/${stored.body.id}/content`, { range: 'bytes=400000-' });
  expect(past.status).toBe(416);

  const deleted = await t.call('DELETE', `/api/files/${stored.body.id}`, {
    key: owner.key,
    workspace: owner.workspaceId,
  });
  expect(deleted.status).toBe(204);
  expect(await bucketKeys()).not.toContain(key);
});

it('an upload over the workspace limit leaves nothing in the bucket', async () => {
  const before = await bucketKeys();
  await t.call('PUT', `/api/workspaces/${owner.workspaceId}/extensions/files`, {
    key: owner.key,
    body: { settings: { max_file_bytes: 10_000 } },
  });
  const over = await upload(t, owner, '/api/files', multipartOf('big.bin', randomBytes(50_000)));
  expect(over.status).toBe(413);
  expect(await bucketKeys()).toEqual(before);
});
