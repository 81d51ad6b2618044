/**
 * /docs in a real headless Chromium: the page renders the operations of
 * /openapi.json with no internet (every request off loopback is refused and
 * recorded), and the run writes a screenshot to .tmp/screenshots/docs.png.
 * GET / sends a browser to /docs and tells other clients where things are.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newRouter } from '../../kernel/http/build-router.ts';
import { mountDocs } from '../../kernel/http/docs-page.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let t: TestKernel;
let server: ServerType;
let url: string;

beforeAll(async () => {
  t = await createTestKernel();
  server = await new Promise((resolve) => {
    const s = serve({ fetch: t.kernel.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

it('renders the reference in headless Chromium, offline', async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const offLoopback: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.route('**/*', (route) => {
      const requested = route.request().url();
      if (requested.startsWith(url)) return route.continue();
      offLoopback.push(requested);
      return route.abort();
    });
    const response = await page.goto(`${url}/docs`);
    expect(response?.status()).toBe(200);
    // Operations of the kernel and of extensions, by their summaries.
    await page
      .getByText('Liveness and database check', { exact: false })
      .first()
      .waitFor({ timeout: 30_000 });
    // the main column renders after the sidebar
    await page.getByText('/api/actors/signup').first().waitFor({ timeout: 30_000 });
    const folder = join(ROOT, '.tmp', 'screenshots');
    mkdirSync(folder, { recursive: true });
    await page.screenshot({ path: join(folder, 'docs.png'), fullPage: false });
    // the rendered text: textContent would include Scalar's inline style sheets
    // biome-ignore lint/performance/useDomNodeTextContent: the text as a reader sees it
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/\/api\/actors\/signup/);
    expect(text).toMatch(/\/api\/workspaces/);
  } finally {
    await browser.close();
  }
  expect(offLoopback).toEqual([]);
});

it('GET / sends browsers to /docs and lists the entry points for other clients', async () => {
  const browser = await t.call('GET', '/', { headers: { accept: 'text/html,application/xhtml+xml' } });
  expect(browser.status).toBe(302);
  expect(browser.headers.get('location')).toBe('/docs');
  const client = await t.call('GET', '/');
  expect(client.status).toBe(200);
  expect(client.body).toMatchObject({ docs: '/docs', openapi: '/openapi.json', mcp: '/mcp' });
});

it('serves Scalar with its bundle from this server when the bundle is installed', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'maskin-scalar-'));
  try {
    const bundle = join(folder, 'standalone.js');
    writeFileSync(bundle, 'window.Scalar = { createApiReference() {} };');
    const app = newRouter();
    mountDocs(app, { scalarBundle: bundle });
    const html = await (await app.request('/docs')).text();
    expect(html).toContain('<script src="/docs/scalar.js">');
    expect(html).toContain('/openapi.json');
    expect(html).not.toContain('cdn.jsdelivr.net');
    const script = await app.request('/docs/scalar.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('createApiReference');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
