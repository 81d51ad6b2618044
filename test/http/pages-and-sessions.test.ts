/**
 * Extension pages and assets at /x/<id> (content types, no way out of the assets
 * folder, GET only), and browser sessions from an auth provider: a cookie stands for
 * an API key, unsafe methods need the CSRF header, and revoking the key ends it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { installed } from '../helpers/extensions.ts';
import { serveKernel } from '../helpers/sse-client.ts';
import { createTestKernel } from '../helpers/test-kernel.ts';
import { FIXTURE_ID, httpFixture, newFixtureState, SESSION_COOKIE } from './http-fixture.ts';
import { rawExchange, requestHead } from './raw-socket.ts';

const SECRET = 'outside-the-assets-folder';
const root = mkdtempSync(join(tmpdir(), 'maskin-pages-'));
const assets = join(root, 'assets');
mkdirSync(join(assets, 'sub'), { recursive: true });
writeFileSync(join(root, 'secret.txt'), SECRET);
writeFileSync(join(assets, 'index.html'), '<!doctype html><title>Console</title>');
writeFileSync(join(assets, 'app.js'), 'console.log("app");');
writeFileSync(join(assets, 'style.css'), 'body { margin: 0 }');
writeFileSync(join(assets, 'sub', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
symlinkSync(join(root, 'secret.txt'), join(assets, 'escape.txt'));

const PAGES = `/x/${FIXTURE_ID}`;
const state = newFixtureState();
const t = await createTestKernel({ extensions: [installed(httpFixture(state, assets))] });
afterAll(async () => {
  await t.close();
  rmSync(root, { recursive: true, force: true });
});

it('serves assets outside /api with their content types', async () => {
  const cases: [string, string, string][] = [
    [`${PAGES}/`, 'text/html; charset=utf-8', 'Console'],
    [PAGES, 'text/html; charset=utf-8', 'Console'],
    [`${PAGES}/app.js`, 'text/javascript; charset=utf-8', 'console.log'],
    [`${PAGES}/style.css`, 'text/css; charset=utf-8', 'margin'],
    [`${PAGES}/sub/logo.svg`, 'image/svg+xml', '<svg'],
  ];
  for (const [path, type, text] of cases) {
    const result = await t.call('GET', path);
    expect(result.status, path).toBe(200);
    expect(result.headers.get('content-type')).toBe(type);
    expect(result.headers.get('x-content-type-options')).toBe('nosniff');
    expect(String(result.body)).toContain(text);
  }
  expect((await t.call('GET', `/api/m/${FIXTURE_ID}/app.js`)).status).toBe(404);
});

it('refuses every way out of the assets folder with 404', async () => {
  for (const path of [
    `${PAGES}/..%2fsecret.txt`,
    `${PAGES}/%2e%2e/secret.txt`,
    `${PAGES}/sub/..%2f..%2fsecret.txt`,
    `${PAGES}/..%5csecret.txt`,
    `${PAGES}/sub/%2e%2e%2f%2e%2e%2fsecret.txt`,
    `${PAGES}/escape.txt`,
    `${PAGES}/missing.js`,
    `${PAGES}/sub`,
  ]) {
    const result = await t.call('GET', path);
    expect(result.status, path).toBe(404);
    expect(JSON.stringify(result.body)).not.toContain(SECRET);
  }
  // Unnormalised over a real socket: the server sees the dots itself.
  const served = await serveKernel(t.kernel);
  try {
    for (const path of [
      `${PAGES}/../secret.txt`,
      `${PAGES}/sub/../../secret.txt`,
      `${PAGES}/./../../etc/passwd`,
    ]) {
      const exchange = rawExchange(served.url, requestHead('GET', path, { connection: 'close' }));
      const response = await exchange.response;
      expect(response.status, path).toBe(404);
      expect(response.body).not.toContain(SECRET);
    }
  } finally {
    await served.close();
  }
});

it('pages are GET only', async () => {
  const result = await t.call('POST', `${PAGES}/app.js`, { rawBody: 'x' });
  expect(result.status).toBe(405);
  expect(result.headers.get('allow')).toBe('GET, HEAD');
  expect((await t.call('HEAD', `${PAGES}/app.js`)).status).toBe(200);
});

async function startSession(key: string): Promise<string> {
  const result = await t.call('POST', `/api/m/${FIXTURE_ID}/sessions`, { key });
  expect(result.status).toBe(201);
  expect(result.headers.get('set-cookie')).toContain('HttpOnly');
  return `${SESSION_COOKIE}=${result.body.token}`;
}

it('an actor page needs a caller: an API key or a browser session', async () => {
  const user = await t.signup('Pager');
  expect((await t.call('GET', `${PAGES}/me`)).status).toBe(401);
  const cookie = await startSession(user.key);
  const page = await t.call('GET', `${PAGES}/me`, { headers: { cookie } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(page.body).toContain('Signed in as Pager');
});

it('a cookie session acts as its key; unsafe methods need X-Maskin-CSRF', async () => {
  const user = await t.signup('Browser');
  const cookie = await startSession(user.key);
  const me = await t.call('GET', '/api/actors/me', { headers: { cookie } });
  expect(me.status).toBe(200);
  expect(me.body.id).toBe(user.actorId);

  const forged = await t.call('POST', '/api/workspaces', { body: { name: 'Forged' }, headers: { cookie } });
  expect(forged.status).toBe(403);
  expect(forged.body.error.message).toContain('X-Maskin-CSRF');
  const [row] = await t.testDatabase.database.query<{ n: string }>(
    "select count(*) as n from workspaces where name = 'Forged'",
  );
  expect(Number(row!.n)).toBe(0);

  const created = await t.call('POST', '/api/workspaces', {
    body: { name: 'From the console' },
    headers: { cookie, 'x-maskin-csrf': '1' },
  });
  expect(created.status).toBe(201);
  // Workspace routes work too, with the key's role.
  const note = await t.call('POST', `/api/m/${FIXTURE_ID}/notes`, {
    workspace: user.workspaceId,
    body: { text: 'x' },
    headers: { cookie, 'x-maskin-csrf': '1' },
  });
  expect(note.status).toBe(201);
});

it('without a session cookie, or with an unknown one, a request is 401', async () => {
  expect((await t.call('GET', '/api/actors/me')).status).toBe(401);
  const unknown = await t.call('GET', '/api/actors/me', { headers: { cookie: `${SESSION_COOKIE}=nope` } });
  expect(unknown.status).toBe(401);
});

it('revoking the key ends the cookie session at once', async () => {
  const user = await t.signup('Revoked');
  const second = await t.call('POST', '/api/actors/me/api-keys', {
    key: user.key,
    body: { name: 'console' },
  });
  expect(second.status).toBe(201);
  const cookie = await startSession(second.body.key);
  expect((await t.call('GET', '/api/actors/me', { headers: { cookie } })).status).toBe(200);
  const revoked = await t.call('DELETE', `/api/actors/me/api-keys/${second.body.id}`, { key: user.key });
  expect(revoked.status).toBeLessThan(300);
  const after = await t.call('GET', '/api/actors/me', { headers: { cookie } });
  expect(after.status).toBe(401);
  expect(after.body.error.message).toContain('revoked');
});
