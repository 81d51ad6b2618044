/**
 * Streamed uploads under a route's own body limit: multipart and octet-stream bodies
 * larger than the installation's limit pass when the route allows them, with exact
 * hashes; bodies over the route's limit are refused with 413, and over a real socket
 * the refusal arrives while the client is still sending (it never sends the rest), the
 * connection is closed, and the handler never saw more than the limit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { installed } from '../helpers/extensions.ts';
import { type ServedKernel, serveKernel } from '../helpers/sse-client.ts';
import { createTestKernel } from '../helpers/test-kernel.ts';
import { FIXTURE_ID, httpFixture, newFixtureState, UPLOAD_LIMIT } from './http-fixture.ts';
import { chunk, rawExchange, requestHead } from './raw-socket.ts';

const INSTALLATION_LIMIT = 4096;
const BOUNDARY = 'fixture-boundary-1b9d6bcd';
const BASE = `/api/m/${FIXTURE_ID}`;

const state = newFixtureState();
const t = await createTestKernel({
  env: { MASKIN_BODY_LIMIT: String(INSTALLATION_LIMIT) },
  extensions: [installed(httpFixture(state))],
});
const user = await t.signup('Uploader');
let served: ServedKernel | undefined;
afterAll(async () => {
  await served?.close();
  await t.close();
});
beforeEach(() => {
  state.maxBytesSeen = 0;
  state.uploads = 0;
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function filePreamble(filename: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
}

function multipart(file: Buffer, note: string): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${note}\r\n`),
    Buffer.from(filePreamble('data.bin')),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

const authHeaders = () => ({ authorization: `Bearer ${user.key}`, 'x-workspace-id': user.workspaceId });

/** A body that arrives as a stream without Content-Length (chunked on the wire). */
function streamOf(data: Buffer): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let offset = 0; offset < data.length; offset += 8192)
        controller.enqueue(data.subarray(offset, offset + 8192));
      controller.close();
    },
  });
}

async function post(path: string, body: Buffer | ReadableStream, headers: Record<string, string>) {
  const response = await t.kernel.app.request(`${BASE}${path}`, {
    method: 'POST',
    headers: { ...authHeaders(), ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

const multipartType = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

it('streams a multipart file larger than the installation limit but within the route limit; hashes match', async () => {
  const file = randomBytes(UPLOAD_LIMIT / 2);
  expect(file.length).toBeGreaterThan(INSTALLATION_LIMIT);
  for (const body of [multipart(file, 'declared'), streamOf(multipart(file, 'streamed'))]) {
    const result = await post('/uploads', body, multipartType);
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    expect(result.body.files).toEqual([
      { name: 'file', filename: 'data.bin', bytes: file.length, sha256: sha256(file) },
    ]);
    expect(Object.keys(result.body.fields)).toEqual(['note']);
  }
});

it('the installation limit still applies to routes that declare no larger one', async () => {
  const big = Buffer.from(JSON.stringify({ text: 'x'.repeat(INSTALLATION_LIMIT) }));
  for (const body of [big, streamOf(big)]) {
    const result = await post('/notes', body, { 'content-type': 'application/json' });
    expect(result.status).toBe(413);
    expect(result.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  }
});

it('refuses an upload over the route limit with 413 in the envelope, declared or streamed', async () => {
  const body = multipart(randomBytes(UPLOAD_LIMIT * 2), 'too big');
  const declared = await post('/uploads', body, { ...multipartType, 'content-length': String(body.length) });
  expect(declared.status).toBe(413);
  expect(declared.body).toEqual({
    error: { code: 'PAYLOAD_TOO_LARGE', message: `Request body exceeds ${UPLOAD_LIMIT} bytes` },
  });
  expect(state.uploads).toBe(0); // refused before the handler ran
  const streamed = await post('/uploads', streamOf(body), multipartType);
  expect(streamed.status).toBe(413);
  expect(streamed.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  expect(state.maxBytesSeen).toBeLessThanOrEqual(UPLOAD_LIMIT);
});

it('streams a raw octet-stream body; hash matches; over the limit is 413', async () => {
  const data = randomBytes(UPLOAD_LIMIT - 100);
  const type = { 'content-type': 'application/octet-stream' };
  for (const body of [data, streamOf(data)]) {
    const result = await post('/blobs', body, type);
    expect(result.status).toBe(201);
    expect(result.body).toEqual({ bytes: data.length, sha256: sha256(data) });
  }
  const over = await post('/blobs', streamOf(randomBytes(UPLOAD_LIMIT + 1)), type);
  expect(over.status).toBe(413);
  expect(state.maxBytesSeen).toBeLessThanOrEqual(UPLOAD_LIMIT);
});

it('answers 415 for a content type the route does not declare', async () => {
  const wrongUpload = await post('/uploads', Buffer.from('{"a":1}'), { 'content-type': 'application/json' });
  expect(wrongUpload.status).toBe(415);
  expect(wrongUpload.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  expect(wrongUpload.body.error.message).toContain('multipart/form-data');
  const wrongBlob = await post('/blobs', Buffer.from('x'), { 'content-type': 'text/plain' });
  expect(wrongBlob.status).toBe(415);
  const none = await post('/blobs', Buffer.from('x'), {});
  expect(none.status).toBe(415);
  expect(state.uploads).toBe(0);
});

it('a malformed multipart body is a 400', async () => {
  const truncated = Buffer.from(`${filePreamble('cut.bin')}abc`);
  const result = await post('/uploads', truncated, multipartType);
  expect(result.status).toBe(400);
  expect(result.body.error.code).toBe('VALIDATION_ERROR');
});

it('does not apply Idempotency-Key to the upload route: the same key runs twice and stores nothing', async () => {
  const body = multipart(randomBytes(100), 'twice');
  const key = `upload-${randomBytes(4).toString('hex')}`;
  for (let i = 0; i < 2; i++) {
    const result = await post('/uploads', body, { ...multipartType, 'idempotency-key': key });
    expect(result.status).toBe(201);
    expect(result.headers.get('idempotent-replayed')).toBeNull();
  }
  expect(state.uploads).toBe(2);
  const rows = await t.testDatabase.database.query('select 1 from idempotency_keys where key = $1', [key]);
  expect(rows).toHaveLength(0);
});

it('over a socket: a Content-Length over the limit is refused before the body is sent', async () => {
  served ??= await serveKernel(t.kernel);
  const exchange = rawExchange(
    served.url,
    requestHead('POST', `${BASE}/uploads`, {
      ...authHeaders(),
      ...multipartType,
      'content-length': String(UPLOAD_LIMIT * 16),
    }),
  );
  exchange.socket.write(filePreamble('huge.bin'));
  exchange.socket.write(randomBytes(1024));
  // The client never sends the other ~1 MB: the answer can only come from a server
  // that decided without waiting for them.
  const response = await exchange.response;
  expect(response.status).toBe(413);
  expect(JSON.parse(response.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  expect(response.headers.connection).toBe('close');
  await exchange.closed;
  expect(state.uploads).toBe(0);
});

it('over a socket: a chunked upload is cut off at the limit and the connection closed', async () => {
  served ??= await serveKernel(t.kernel);
  const exchange = rawExchange(
    served.url,
    requestHead('POST', `${BASE}/uploads`, {
      ...authHeaders(),
      ...multipartType,
      'transfer-encoding': 'chunked',
    }),
  );
  exchange.socket.write(chunk(filePreamble('endless.bin')));
  // Four times the limit, and never the terminating chunk: the body does not end.
  for (let sent = 0; sent < UPLOAD_LIMIT * 4; sent += 8192) exchange.socket.write(chunk(randomBytes(8192)));
  const response = await exchange.response;
  expect(response.status).toBe(413);
  expect(JSON.parse(response.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  await exchange.closed; // the server stopped reading: it closed the connection
  expect(state.uploads).toBe(1);
  expect(state.maxBytesSeen).toBeGreaterThan(0);
  expect(state.maxBytesSeen).toBeLessThanOrEqual(UPLOAD_LIMIT);
});
