/**
 * A 100 MB CSV, generated as a stream (never held whole by the test either), is
 * uploaded, previewed and imported with bounded memory: the live memory of this process
 * (the server runs in it), sampled after a forced garbage collection, stays within
 * 150 MB of where it started during the whole run; holding the file would take at least
 * 200 MB (100 MB of text as JavaScript strings). Live memory, not RSS: V8 collects when it
 * likes, so RSS measures garbage and the allocator's slack as much as what is kept. Each row carries a 2 KB column that the mapping leaves out, so the
 * file is large while the database work stays modest: what is measured is the
 * streaming of the file, not the size of the database.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importsStack, streamedMultipart, upload } from '../files/upload-helpers.ts';
import { usingPostgres } from '../helpers/test-database.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';
import { setExtensionSettings } from '../helpers/work-graph.ts';
import { confirm, finished } from './import-helpers.ts';

// A full collection on demand, so samples measure what is kept rather than garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const TARGET_BYTES = 100 * 1000 * 1000;
const MB = 1024 * 1024;

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel({ extensions: await importsStack() });
});
afterAll(() => t?.close());

/** CSV rows of ~2 KB each until TARGET_BYTES, produced lazily in chunks of 64 rows. */
function* csvChunks(): Generator<Uint8Array> {
  const encoder = new TextEncoder();
  const padding = 'x'.repeat(2000);
  let bytes = 0;
  let row = 0;
  yield encoder.encode('title,status,padding\n');
  while (bytes < TARGET_BYTES) {
    let chunk = '';
    for (let i = 0; i < 64 && bytes + chunk.length < TARGET_BYTES; i++) {
      row++;
      chunk += `Row ${row},${row % 97 === 0 ? 'bogus' : 'todo'},${padding}\n`;
    }
    bytes += chunk.length;
    yield encoder.encode(chunk);
  }
}

it('imports a 100 MB CSV with bounded memory', { timeout: 900_000 }, async () => {
  const owner = await t.signup('Big');
  await setExtensionSettings(t, owner, 'files', { max_file_bytes: 200 * MB });
  collectGarbage();
  const before = process.memoryUsage();
  const peak = {
    arrayBuffers: before.arrayBuffers,
    heapUsed: before.heapUsed,
    rss: before.rss,
    outsideBuffers: before.rss - before.arrayBuffers,
  };
  const sampler = setInterval(() => {
    collectGarbage();
    const now = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
    peak.rss = Math.max(peak.rss, now.rss);
    peak.outsideBuffers = Math.max(peak.outsideBuffers, now.rss - now.arrayBuffers);
  }, 500);
  try {
    const created = await upload(t, owner, '/api/imports', streamedMultipart('big.csv', csvChunks));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const expectedRows =
      [...csvChunks()].reduce((n, chunk) => n + chunk.filter((b) => b === 10).length, 0) - 1;
    expect(created.body).toMatchObject({ format: 'csv', delimiter: ',', row_count: expectedRows });
    const file = await t.call('GET', `/api/files/${created.body.file_id}`, {
      key: owner.key,
      workspace: owner.workspaceId,
    });
    expect(file.body.size).toBeGreaterThanOrEqual(TARGET_BYTES);

    await confirm(t, owner, created.body.id);
    const done = await finished(t, owner, created.body.id, 850_000);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    const bogus = Math.floor(expectedRows / 97);
    expect(done.progress).toMatchObject({
      rows_done: expectedRows,
      imported_rows: expectedRows - bogus,
      failed_rows: bogus,
    });
  } finally {
    clearInterval(sampler);
  }
  const growth = {
    heapUsed: (peak.heapUsed - before.heapUsed) / MB,
    arrayBuffers: (peak.arrayBuffers - before.arrayBuffers) / MB,
    rss: (peak.rss - before.rss) / MB,
    outsideBuffers: (peak.outsideBuffers - (before.rss - before.arrayBuffers)) / MB,
  };
  const after = process.memoryUsage();
  console.log(
    `large import: peak live growth heap ${growth.heapUsed.toFixed(0)} MB, array buffers ${growth.arrayBuffers.toFixed(0)} MB, rss ${growth.rss.toFixed(0)} MB, rss outside array buffers ${growth.outsideBuffers.toFixed(0)} MB; array buffers ${(before.arrayBuffers / MB).toFixed(0)} -> ${(after.arrayBuffers / MB).toFixed(0)} MB`,
  );
  expect(growth.heapUsed).toBeLessThan(150);
  // With DATABASE_URL the driver's buffers are array buffers of ours: they count too. On
  // PGlite the database's WebAssembly memory (an ArrayBuffer that grows with the data
  // and never shrinks) lives in this process, so there only the heap is ours to bound.
  if (usingPostgres()) expect(growth.heapUsed + growth.arrayBuffers).toBeLessThan(150);
});
