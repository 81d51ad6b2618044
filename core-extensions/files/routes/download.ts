/**
 * Downloading a file's bytes: the sniffed Content-Type (never the client's), a
 * Content-Disposition with the UTF-8 name (RFC 6266), `nosniff`, and a strong ETag
 * (the SHA-256). One byte range is served with 206 and Content-Range; a range that
 * starts past the end is 416 with `Content-Range: bytes * /size`. HTML, SVG and XML
 * are always attachments under a sandbox CSP, so an upload cannot run script on our
 * origin.
 */
import { Readable } from 'node:stream';
import {
  ApiError,
  BlobRangeError,
  createRoute,
  defineRoute,
  errorResponses,
  workspaceOf,
} from '@maskin/contract';
import { contentDisposition } from '../disposition.ts';
import { ifRangeMatches, parseRange } from '../range.ts';
import type { FilesService } from '../service.ts';
import { isActiveContent, servedContentType } from '../sniff.ts';
import { downloadHeaders, downloadQuery, fileIdParam } from './schemas.ts';

const unsatisfiable = (size: number) =>
  new ApiError(
    416,
    'FILES_RANGE_NOT_SATISFIABLE',
    `The range starts past the end of the file (${size} bytes)`,
    undefined,
    {
      'Content-Range': `bytes */${size}`,
    },
  );

export function downloadRoute(files: FilesService) {
  return defineRoute({
    access: { auth: 'workspace', role: 'viewer' },
    route: createRoute({
      method: 'get',
      path: '/{id}/content',
      tags: ['Files'],
      summary: "Download a file's bytes (Range supported)",
      description:
        "Downloads a file's bytes with its sniffed Content-Type, a Content-Disposition naming it, its SHA-256 as ETag (304 on If-None-Match) and single-range support (206, 416).",
      request: { params: fileIdParam, query: downloadQuery, headers: downloadHeaders },
      responses: {
        200: {
          description: 'The whole file',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        206: {
          description: 'One byte range (Content-Range says which)',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        304: { description: 'If-None-Match matched the ETag' },
        416: { description: 'The range starts past the end (FILES_RANGE_NOT_SATISFIABLE)' },
        ...errorResponses,
      },
    }),
    handler: async (c) => {
      const workspaceId = workspaceOf(c).id;
      const { id } = c.req.valid('param');
      const headers = c.req.valid('header');
      const file = await files.get(workspaceId, id);
      const etag = `"${file.sha256}"`;
      const active = isActiveContent(file.content_type);
      const disposition = active ? 'attachment' : c.req.valid('query').disposition;
      const common: Record<string, string> = {
        'Content-Type': servedContentType(file.content_type),
        'Content-Disposition': contentDisposition(disposition, file.name),
        'X-Content-Type-Options': 'nosniff',
        'Accept-Ranges': 'bytes',
        ETag: etag,
        'Cache-Control': 'private, no-cache',
        ...(active ? { 'Content-Security-Policy': "sandbox; default-src 'none'" } : {}),
      };
      if (headers['if-none-match']?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
        return new Response(null, { status: 304, headers: common }) as never;
      }
      const wanted = ifRangeMatches(headers['if-range'], etag)
        ? parseRange(headers.range, file.size)
        : ({ kind: 'whole' } as const);
      if (wanted.kind === 'unsatisfiable') throw unsatisfiable(file.size);
      let opened: Awaited<ReturnType<FilesService['open']>>;
      try {
        opened = await files.open(workspaceId, id, wanted.kind === 'range' ? wanted : undefined);
      } catch (error) {
        if (error instanceof BlobRangeError) throw unsatisfiable(file.size);
        throw error;
      }
      const { start, end } = opened.range;
      const length = file.size === 0 ? 0 : end - start + 1;
      const body = Readable.toWeb(opened.body) as ReadableStream<Uint8Array>;
      const partial = wanted.kind === 'range';
      return new Response(body, {
        status: partial ? 206 : 200,
        headers: {
          ...common,
          'Content-Length': String(length),
          ...(partial ? { 'Content-Range': `bytes ${start}-${end}/${file.size}` } : {}),
        },
      }) as never;
    },
  });
}
