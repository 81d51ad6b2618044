/**
 * Extensions' pages and static assets, outside the API, at `/x/<extension-id>/...`.
 *
 * The kernel owns the `/x` prefix as it owns `/api`: an extension never chooses its
 * path. Pages are GET (and HEAD) only; any other method is 405. They are not part of
 * the OpenAPI document or MCP: they are for the web console, not for clients of the
 * API. They are installation-wide, not gated per workspace (a page load carries no
 * workspace): an `actor` page authenticates like any route (an API key, or a browser
 * session from an auth provider), and the data a page shows comes from the API,
 * which does gate per workspace. Assets are public: put no secrets in them.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { KernelEnv } from '../contract/context.ts';
import { ApiError, notFound } from '../contract/errors.ts';
import type { PageContributions } from '../contract/extension.ts';
import { joinPath } from './operations.ts';
import { resolveAsset, serveAsset } from './static-assets.ts';

export const PAGES_PREFIX = '/x';

export const pagesPathOf = (extensionId: string) => `${PAGES_PREFIX}/${extensionId}`;

const assetsDirOf = (pages: PageContributions) =>
  pages.assetsDir instanceof URL ? pages.assetsDir.pathname : pages.assetsDir;

/** What is wrong with an extension's pages, as sentences (empty: nothing). */
export function pagesProblems(pages: PageContributions | undefined): string[] {
  if (!pages) return [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const route of pages.routes ?? []) {
    if (!route.path.startsWith('/')) problems.push(`page path "${route.path}" must start with "/"`);
    if (seen.has(route.path)) problems.push(`page path "${route.path}" is declared twice`);
    seen.add(route.path);
  }
  const dir = assetsDirOf(pages);
  if (dir !== undefined && !dir.startsWith('/')) {
    problems.push(`pages.assetsDir "${dir}" must be an absolute path (new URL('./assets', import.meta.url))`);
  }
  return problems;
}

export interface PageMountDeps {
  /** Authenticates an `actor` page: API key or browser session. */
  authenticate: MiddlewareHandler<KernelEnv>;
}

export function mountPages(
  app: OpenAPIHono<KernelEnv>,
  extensionId: string,
  pages: PageContributions | undefined,
  deps: PageMountDeps,
): void {
  if (!pages) return;
  const base = pagesPathOf(extensionId);
  for (const route of pages.routes ?? []) {
    const guard = route.access.auth === 'actor' ? [deps.authenticate] : [];
    const handle: MiddlewareHandler<KernelEnv> = async (c) => route.handler(c);
    app.on(['GET'], [joinPath(base, route.path)], ...guard, handle);
  }
  const dir = assetsDirOf(pages);
  if (dir !== undefined) {
    app.get(`${base}/*`, async (c) => {
      const file = await resolveAsset(dir, c.req.path.slice(base.length));
      if (!file) throw notFound(`No page or asset at ${c.req.path}`);
      // HEAD is routed here as GET; an unread file stream would hold its descriptor.
      return serveAsset(file, c.req.method === 'HEAD');
    });
  }
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], [base, `${base}/*`], (c) => {
    throw new ApiError(
      405,
      'METHOD_NOT_ALLOWED',
      `${c.req.method} ${c.req.path}: extension pages are read-only (GET); change data through the API under /api`,
      undefined,
      { Allow: 'GET, HEAD' },
    );
  });
}
