/**
 * Exact raw bytes for signature checks, idempotency switched off per route, and the
 * OpenAPI document describing non-JSON bodies, limits and idempotency as enforced.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { installed } from '../helpers/extensions.ts';
import { createTestKernel } from '../helpers/test-kernel.ts';
import { FIXTURE_ID, httpFixture, newFixtureState, UPLOAD_LIMIT, WEBHOOK_SECRET } from './http-fixture.ts';

const INSTALLATION_LIMIT = 4096;
const BASE = `/api/m/${FIXTURE_ID}`;
const state = newFixtureState();
const t = await createTestKernel({
  env: { MASKIN_BODY_LIMIT: String(INSTALLATION_LIMIT) },
  extensions: [installed(httpFixture(state))],
});
const user = await t.signup('Signer');
afterAll(() => t.close());

const sign = (bytes: Buffer) => `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(bytes).digest('hex')}`;

it('gives the handler the exact bytes: an HMAC over odd whitespace matches, and the JSON is still validated', async () => {
  // Re-serialising the parsed JSON would lose the whitespace, the key order and the escapes.
  const raw = Buffer.from('{  "event" :\t"push",\r\n  "extra":"caf\\u00e9"   }\n\n');
  const signed = await t.call('POST', `${BASE}/webhook`, {
    rawBody: raw.toString(),
    headers: { 'content-type': 'application/json', 'x-signature': sign(raw) },
  });
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  expect(signed.body).toEqual({ event: 'push' });

  const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
  const wrong = await t.call('POST', `${BASE}/webhook`, {
    rawBody: raw.toString(),
    headers: { 'content-type': 'application/json', 'x-signature': sign(reserialised) },
  });
  expect(wrong.status).toBe(401);

  const invalid = Buffer.from('{ "event": 42 }');
  const rejected = await t.call('POST', `${BASE}/webhook`, {
    rawBody: invalid.toString(),
    headers: { 'content-type': 'application/json', 'x-signature': sign(invalid) },
  });
  expect(rejected.status).toBe(400);
});

it('keeps raw bytes bounded by the limit', async () => {
  const big = Buffer.from(JSON.stringify({ event: 'x'.repeat(INSTALLATION_LIMIT) }));
  const result = await t.call('POST', `${BASE}/webhook`, {
    rawBody: big.toString(),
    headers: { 'content-type': 'application/json', 'x-signature': sign(big) },
  });
  expect(result.status).toBe(413);
});

it('a JSON route with idempotency: false runs every retry', async () => {
  const key = `note-${randomBytes(4).toString('hex')}`;
  const options = {
    key: user.key,
    workspace: user.workspaceId,
    body: { text: 'hi' },
    headers: { 'idempotency-key': key },
  };
  const first = await t.call('POST', `${BASE}/notes`, options);
  const second = await t.call('POST', `${BASE}/notes`, options);
  expect([first.status, second.status]).toEqual([201, 201]);
  expect(second.body.count).toBe(first.body.count + 1);
  expect(second.headers.get('idempotent-replayed')).toBeNull();
  // The kernel's own JSON routes still honour it.
  const replayKey = `ws-${randomBytes(4).toString('hex')}`;
  const created = await t.call('POST', '/api/workspaces', {
    key: user.key,
    body: { name: 'Once' },
    headers: { 'idempotency-key': replayKey },
  });
  const replayed = await t.call('POST', '/api/workspaces', {
    key: user.key,
    body: { name: 'Once' },
    headers: { 'idempotency-key': replayKey },
  });
  expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  expect(replayed.body).toEqual(created.body);
});

it('describes non-JSON bodies, limits and idempotency in the OpenAPI document', async () => {
  const doc = (await t.call('GET', '/openapi.json')).body;
  const upload = doc.paths[`${BASE}/uploads`].post;
  const form = upload.requestBody.content['multipart/form-data'];
  expect(Object.keys(upload.requestBody.content)).toEqual(['multipart/form-data']);
  expect(form.schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
  expect(form.schema.properties.note).toMatchObject({ type: 'string' });
  expect(form.schema.required).toEqual(['file']);
  expect(form.encoding.file.contentType).toBe('application/octet-stream');
  expect(upload['x-maskin-body-limit']).toBe(UPLOAD_LIMIT);
  expect(upload['x-maskin-idempotency']).toBe(false);
  expect(upload.responses['413']).toBeDefined();
  expect(upload.responses['415'].description).toContain('multipart/form-data');

  const blob = doc.paths[`${BASE}/blobs`].post.requestBody.content;
  expect(blob).toEqual({
    'application/octet-stream': {
      schema: { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' },
    },
  });
  expect(doc.paths[`${BASE}/notes`].post['x-maskin-idempotency']).toBe(false);
  const kernelRoute = doc.paths['/api/workspaces'].post;
  expect(kernelRoute['x-maskin-body-limit']).toBe(INSTALLATION_LIMIT);
  expect(kernelRoute['x-maskin-idempotency']).toBeUndefined();
  // Pages are not API operations.
  expect(Object.keys(doc.paths).filter((path) => path.startsWith('/x/'))).toEqual([]);
});
