/**
 * `/docs`: the interactive API reference over `/openapi.json`, and `GET /`, which
 * points to it (a browser is sent there; other clients get the links as JSON).
 *
 * The reference is Scalar's (@scalar/hono-api-reference). Its page loads Scalar's
 * browser bundle, by default from a CDN; Maskin must work with no internet, so when
 * the bundle is installed (the @scalar/api-reference package) it is served from this
 * server at /docs/scalar.js. When it is not, /docs serves a small built-in page that
 * lists the same operations from the same document, so the route never depends on a
 * third party being reachable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { KernelEnv } from '../contract/context.ts';

const PAGE_TITLE = 'Maskin API reference';

/** The standalone browser bundle of @scalar/api-reference, if that package is installed. */
export function localScalarBundle(): string | undefined {
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve('@scalar/api-reference'));
  } catch {
    return undefined;
  }
  for (let folder = dirname(entry); dirname(folder) !== folder; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) {
      const bundle = join(folder, 'dist', 'browser', 'standalone.js');
      return existsSync(bundle) ? bundle : undefined;
    }
  }
  return undefined;
}

export function mountDocs(app: OpenAPIHono<KernelEnv>, options: { scalarBundle?: string } = {}) {
  const bundle = 'scalarBundle' in options ? options.scalarBundle : localScalarBundle();
  if (bundle) {
    let script: Buffer | undefined;
    app.get('/docs/scalar.js', (c) => {
      script ??= readFileSync(bundle);
      c.header('Content-Type', 'text/javascript; charset=utf-8');
      c.header('Cache-Control', 'public, max-age=3600');
      return c.body(new Uint8Array(script));
    });
    // Nothing off this server: no web fonts, no AI agent (it calls Scalar's services),
    // no developer toolbar; an offline or locked-down installation shows the same page.
    const config = {
      url: '/openapi.json',
      cdn: '/docs/scalar.js',
      pageTitle: PAGE_TITLE,
      withDefaultFonts: false,
      showDeveloperTools: 'never',
      agent: { disabled: true },
    } as Parameters<typeof Scalar>[0];
    app.get('/docs', Scalar(config));
  } else {
    app.get('/docs', (c) => c.html(BUILT_IN_PAGE));
  }
  app.get('/', (c) => {
    if (c.req.header('accept')?.includes('text/html')) return c.redirect('/docs', 302);
    return c.json({
      name: 'maskin',
      docs: '/docs',
      openapi: '/openapi.json',
      health: '/api/health',
      mcp: '/mcp',
    });
  });
}

/**
 * The reference without Scalar: every operation of /openapi.json by tag, with its
 * summary and description. Text only goes through textContent (no HTML injection
 * from extension-provided descriptions).
 */
const BUILT_IN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${PAGE_TITLE}</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 2rem; color: #222; }
  h2 { border-bottom: 1px solid #ddd; margin-top: 2rem; }
  .op { margin: 1rem 0; }
  .method { display: inline-block; min-width: 4.5rem; font: bold 12px monospace; text-transform: uppercase; }
  .path { font-family: monospace; }
  .summary { font-weight: 600; }
  .description { color: #555; white-space: pre-wrap; margin: .25rem 0 0 4.5rem; }
  code { background: #f4f4f4; padding: 0 .25rem; }
</style>
</head>
<body>
<h1>${PAGE_TITLE}</h1>
<p>Every call takes <code>Authorization: Bearer $MASKIN_API_KEY</code>; workspace calls also take
<code>X-Workspace-Id: $MASKIN_WORKSPACE_ID</code>. The machine-readable document is
<a href="/openapi.json">/openapi.json</a>.</p>
<div id="operations">Loading…</div>
<script>
(async () => {
  const root = document.getElementById('operations');
  const doc = await (await fetch('/openapi.json')).json();
  root.textContent = '';
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (typeof op !== 'object' || !op.responses) continue;
      const tag = (op.tags && op.tags[0]) || 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ method, path, op });
    }
  }
  const add = (parent, tag, className, text) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    parent.appendChild(element);
    return element;
  };
  for (const [tag, operations] of byTag) {
    add(root, 'h2', '', tag);
    for (const { method, path, op } of operations) {
      const entry = add(root, 'div', 'op');
      entry.id = op.operationId || method + path;
      add(entry, 'span', 'method', method);
      add(entry, 'span', 'path', path + ' ');
      add(entry, 'span', 'summary', op.summary || '');
      if (op.description) add(entry, 'div', 'description', op.description);
    }
  }
})().catch((error) => { document.getElementById('operations').textContent = 'Could not load /openapi.json: ' + error; });
</script>
</body>
</html>`;
