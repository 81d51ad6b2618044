/** blobsRef confines each extension to its own keys, per workspace. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { createFolderBlobStore } from '../blobs/folder-blob-store.ts';
import type { ExtensionBlobs } from '../contract/blobs.ts';
import { blobsFactory } from './blobs.ts';

const root = mkdtempSync(join(tmpdir(), 'maskin-blobs-cap-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const store = createFolderBlobStore(root);
const forExtension = (id: string) =>
  blobsFactory.create({ store }, { extension: { id } } as never) as ExtensionBlobs;

const W1 = '00000000-0000-4000-8000-000000000001';
const W2 = '00000000-0000-4000-8000-000000000002';

describe('blobsRef', () => {
  it('scopes keys by extension and workspace', async () => {
    const files = forExtension('files');
    const sessions = forExtension('sessions');
    await files.put(W1, 'a/b.txt', Buffer.from('files in W1'));
    expect(await text((await files.get(W1, 'a/b.txt'))!.body)).toBe('files in W1');
    expect(await files.head(W2, 'a/b.txt')).toBeUndefined();
    expect(await sessions.head(W1, 'a/b.txt')).toBeUndefined();
    expect(await store.head(`files/${W1}/a/b.txt`)).toEqual({ size: 11 });
  });

  it('refuses keys that could climb out of the scope, and workspace ids that are not ids', async () => {
    const files = forExtension('files');
    for (const key of ['../sessions/x', 'a/../../b', '/abs', 'a//b', '', 'a b', 'a/./b']) {
      await expect(files.put(W1, key, Buffer.from('x')), key).rejects.toThrow(/Invalid blob key/);
    }
    await expect(files.get('../other', 'x')).rejects.toThrow(/Invalid workspace id/);
  });
});
