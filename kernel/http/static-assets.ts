/**
 * Static files from an extension's assets folder, with no way out of that folder.
 *
 * The request path (already percent-decoded by the router) is refused outright when
 * it holds anything a file name in an assets folder never needs and a traversal
 * always does: a `..` or `.` segment, a backslash, a NUL, an empty segment. What
 * remains is joined under the folder and resolved with realpath, and served only if
 * the real file is still inside the folder's real path, so a symlink pointing out of
 * it is refused too. Every refusal is the same 404 as a missing file: the caller
 * learns nothing about what exists outside.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { Readable } from 'node:stream';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The file a relative request path names inside `root`, or undefined (refused or missing). */
export async function resolveAsset(root: string, relativePath: string): Promise<string | undefined> {
  const path = relativePath === '' || relativePath === '/' ? '/index.html' : relativePath;
  if (!path.startsWith('/') || /[\\\0]/.test(path)) return undefined;
  const segments = path.slice(1).split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, ...segments));
    if (!real.startsWith(realRoot + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

export async function serveAsset(file: string, headOnly = false): Promise<Response> {
  const info = await stat(file);
  const body = headOnly ? null : (Readable.toWeb(createReadStream(file)) as ReadableStream);
  return new Response(body, {
    headers: {
      'content-type': contentTypeOf(file),
      'content-length': String(info.size),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    },
  });
}
