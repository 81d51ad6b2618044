/**
 * The files extension on the folder blob store: sniffed types, SHA-256, attachments,
 * downloads with Content-Disposition, ETag and Range, per-workspace limits and quota
 * (refused over a real socket before the client finished sending), deletion, events.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedKernel, serveKernel } from '../helpers/sse-client.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { eventsOf, type Member, setExtensionSettings } from '../helpers/work-graph.ts';
import { chunk, rawExchange, requestHead } from '../http/raw-socket.ts';
import { download, filesStack, multipartOf, multipartType, partHead, upload } from './upload-helpers.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(5000)]);

let t: TestKernel;
let owner: Member;
let served: ServedKernel;
beforeAll(async () => {
  t = await createTestKernel({ extensions: filesStack() });
  owner = await t.signup('Fiona');
  served = await serveKernel(t.kernel);
});
afterAll(async () => {
  await served?.close();
  await t?.close();
});

const countFiles = async (workspaceId: string) =>
  Number(
    (
      await t.kernel.services.database.query<{ n: string }>(
        'select count(*) as n from files where workspace_id = $1',
        [workspaceId],
      )
    )[0]!.n,
  );

describe('upload', () => {
  it('sniffs the type from the bytes (not the client), records the SHA-256 and file.uploaded', async () => {
    const res = await upload(t, owner, '/api/files', multipartOf('../../etc/photo.png', PNG, 'text/html'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      name: 'photo.png',
      content_type: 'image/png',
      declared_type: 'text/html',
      size: PNG.length,
      sha256: sha256(PNG),
      object_id: null,
      created_by: owner.actorId,
    });
    const events = await eventsOf(t, owner.workspaceId, ['file']);
    expect(events.at(-1)).toMatchObject({
      type: 'file.uploaded',
      entity_id: res.body.id,
      data: { sha256: sha256(PNG), size: PNG.length, content_type: 'image/png' },
    });
    const meta = await t.call('GET', `/api/files/${res.body.id}`, {
      key: owner.key,
      workspace: owner.workspaceId,
    });
    expect(meta.body).toEqual(res.body);
  });

  it('attaches to an object through an objects link, and lists by object', async () => {
    const object = await t.call('POST', '/api/objects', {
      key: owner.key,
      workspace: owner.workspaceId,
      body: { type: 'task', title: 'Has an attachment' },
    });
    const res = await upload(
      t,
      owner,
      `/api/files?object_id=${object.body.id}`,
      multipartOf('notes.txt', Buffer.from('hello')),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object_id: object.body.id, content_type: 'text/plain' });
    const links = await t.call('GET', `/api/objects/${object.body.id}/links`, {
      key: owner.key,
      workspace: owner.workspaceId,
    });
    expect(links.body.items).toEqual([
      expect.objectContaining({ extension_id: 'files', record_type: 'file', record_id: res.body.id }),
    ]);
    const listed = await t.call('GET', `/api/files?object_id=${object.body.id}`, {
      key: owner.key,
      workspace: owner.workspaceId,
    });
    expect(listed.body.items.map((f: any) => f.id)).toEqual([res.body.id]);

    const missing = await upload(
      t,
      owner,
      `/api/files?object_id=${crypto.randomUUID()}`,
      multipartOf('x.txt', Buffer.from('x')),
    );
    expect(missing.status).toBe(404);
  });

  it('lists newest first in keyset pages', async () => {
    const other = await t.signup('Pager');
    for (let i = 0; i < 5; i++)
      await upload(t, other, '/api/files', multipartOf(`f${i}.txt`, Buffer.from(`file ${i}`)));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.call('GET', `/api/files?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        key: other.key,
        workspace: other.workspaceId,
      });
      seen.push(...page.body.items.map((f: any) => f.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['f4.txt', 'f3.txt', 'f2.txt', 'f1.txt', 'f0.txt']);
  });
});

describe('download', () => {
  let id: string;
  const data = randomBytes(10_000);
  beforeAll(async () => {
    id = (await upload(t, owner, '/api/files', multipartOf('Résumé 2025 %22final%22.bin', data))).body.id;
  });

  it('sends the sniffed type, an RFC 6266 disposition, the ETag and Accept-Ranges', async () => {
    const res = await download(t, owner, `/api/files/${id}/content`);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(data)).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-length')).toBe(String(data.length));
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="R_sum_ 2025 _final_.bin"; filename*=UTF-8''R%C3%A9sum%C3%A9%202025%20%22final%22.bin`,
    );
    expect(res.headers.get('etag')).toBe(`"${sha256(data)}"`);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const cached = await download(t, owner, `/api/files/${id}/content`, {
      'if-none-match': `"${sha256(data)}"`,
    });
    expect(cached.status).toBe(304);
  });

  it('serves one range with 206, suffix and open ranges, 416 past the end', async () => {
    const middle = await download(t, owner, `/api/files/${id}/content`, { range: 'bytes=100-199' });
    expect(middle.status).toBe(206);
    expect(middle.bytes.equals(data.subarray(100, 200))).toBe(true);
    expect(middle.headers.get('content-range')).toBe(`bytes 100-199/${data.length}`);
    expect(middle.headers.get('content-length')).toBe('100');

    const suffix = await download(t, owner, `/api/files/${id}/content`, { range: 'bytes=-10' });
    expect(suffix.status).toBe(206);
    expect(suffix.bytes.equals(data.subarray(data.length - 10))).toBe(true);

    const open = await download(t, owner, `/api/files/${id}/content`, { range: 'bytes=9990-' });
    expect(open.bytes.equals(data.subarray(9990))).toBe(true);
    expect(open.headers.get('content-range')).toBe(`bytes 9990-9999/${data.length}`);

    const clamped = await download(t, owner, `/api/files/${id}/content`, { range: 'bytes=9995-20000' });
    expect(clamped.headers.get('content-range')).toBe(`bytes 9995-9999/${data.length}`);

    const past = await download(t, owner, `/api/files/${id}/content`, { range: `bytes=${data.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${data.length}`);
    expect(JSON.parse(past.bytes.toString()).error.code).toBe('FILES_RANGE_NOT_SATISFIABLE');

    const several = await download(t, owner, `/api/files/${id}/content`, { range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    expect(several.bytes.length).toBe(data.length);

    const staleCopy = await download(t, owner, `/api/files/${id}/content`, {
      range: 'bytes=0-9',
      'if-range': '"other"',
    });
    expect(staleCopy.status).toBe(200);
  });

  it('serves HTML as a sandboxed attachment even when inline is asked', async () => {
    const page = await upload(
      t,
      owner,
      '/api/files',
      multipartOf('cat.png', Buffer.from('<!DOCTYPE html><script>alert(1)</script>'), 'image/png'),
    );
    expect(page.body.content_type).toBe('text/html');
    const res = await download(t, owner, `/api/files/${page.body.id}/content?disposition=inline`);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    const image = await download(t, owner, `/api/files/${id}/content?disposition=inline`);
    expect(image.headers.get('content-disposition')).toMatch(/^inline;/);
  });
});

describe('limits', () => {
  it('refuses an upload over the workspace limit with 413 before the client finished sending', async () => {
    const small = await t.signup('Limited');
    await setExtensionSettings(t, small, 'files', { max_file_bytes: 64 * 1024 });
    const exchange = rawExchange(
      served.url,
      requestHead('POST', '/api/files', {
        authorization: `Bearer ${small.key}`,
        'x-workspace-id': small.workspaceId,
        'content-type': multipartType,
        'transfer-encoding': 'chunked',
      }),
    );
    exchange.socket.write(chunk(partHead('big.bin')));
    // Send 256 KiB in 16 KiB chunks, never the end of the body: only an early answer can arrive.
    for (let i = 0; i < 16; i++) exchange.socket.write(chunk(randomBytes(16 * 1024)));
    const response = await exchange.response;
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(response.headers.connection).toBe('close');
    await exchange.closed;
    expect(await countFiles(small.workspaceId)).toBe(0);

    // A Content-Length that cannot fit is refused before any of the body is read.
    const declared = rawExchange(
      served.url,
      requestHead('POST', '/api/files', {
        authorization: `Bearer ${small.key}`,
        'x-workspace-id': small.workspaceId,
        'content-type': multipartType,
        'content-length': String(50 * 1024 * 1024),
      }),
    );
    const early = await declared.response;
    expect(early.status).toBe(413);
    await declared.closed;

    const fits = await upload(t, small, '/api/files', multipartOf('ok.bin', randomBytes(60 * 1024)));
    expect(fits.status).toBe(201);
  });

  it('enforces the quota: 413 FILES_QUOTA_EXCEEDED, nothing stored', async () => {
    const tight = await t.signup('Quota');
    await setExtensionSettings(t, tight, 'files', { quota_bytes: 150_000 });
    expect((await upload(t, tight, '/api/files', multipartOf('a.bin', randomBytes(100_000)))).status).toBe(
      201,
    );
    const over = await upload(t, tight, '/api/files', multipartOf('b.bin', randomBytes(100_000)));
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('FILES_QUOTA_EXCEEDED');
    expect(await countFiles(tight.workspaceId)).toBe(1);
    const usage = await t.call('GET', '/api/files/usage', { key: tight.key, workspace: tight.workspaceId });
    expect(usage.body).toEqual({
      used_bytes: 100_000,
      quota_bytes: 150_000,
      available_bytes: 50_000,
      max_file_bytes: 100 * 1024 * 1024,
    });
  });
});

describe('delete', () => {
  it('removes the row, the link, the bytes, and records file.deleted', async () => {
    const object = await t.call('POST', '/api/objects', {
      key: owner.key,
      workspace: owner.workspaceId,
      body: { type: 'task', title: 'Loses an attachment' },
    });
    const file = (
      await upload(
        t,
        owner,
        `/api/files?object_id=${object.body.id}`,
        multipartOf('gone.txt', Buffer.from('bye')),
      )
    ).body;
    const res = await t.call('DELETE', `/api/files/${file.id}`, {
      key: owner.key,
      workspace: owner.workspaceId,
    });
    expect(res.status).toBe(204);
    expect((await download(t, owner, `/api/files/${file.id}/content`)).status).toBe(404);
    const links = await t.call('GET', `/api/objects/${object.body.id}/links`, {
      key: owner.key,
      workspace: owner.workspaceId,
    });
    expect(links.body.items).toEqual([]);
    const events = await eventsOf(t, owner.workspaceId, ['file']);
    expect(events.at(-1)).toMatchObject({ type: 'file.deleted', entity_id: file.id });
    expect(
      (await t.call('DELETE', `/api/files/${file.id}`, { key: owner.key, workspace: owner.workspaceId }))
        .status,
    ).toBe(404);
  });
});
