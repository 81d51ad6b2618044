/** Reading and deleting files: thin adapters from HTTP (and MCP, via `tool`) to the service. */
import {
  callerScope,
  createRoute,
  defineRoute,
  errorResponses,
  jsonResponse,
  pageOf,
  workspaceOf,
} from '@maskin/contract';
import type { FilesService } from '../service.ts';
import { fileIdParam, fileSchema, listFilesQuery, usageSchema } from './schemas.ts';

const tags = ['Files'];

export function fileRoutes(files: FilesService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_files',
        description:
          'Lists the files of the current workspace, newest first, optionally only those attached to one object (object_id). Each has its name, sniffed content_type, size and sha256. Pages of up to 200: pass next_cursor back as cursor.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List files',
        request: { query: listFilesQuery },
        responses: { 200: jsonResponse(pageOf(fileSchema), 'A page of files'), ...errorResponses },
      }),
      handler: async (c) => {
        const query = c.req.valid('query');
        const page = await files.list(workspaceOf(c).id, {
          objectId: query.object_id,
          limit: query.limit,
          cursor: query.cursor,
        });
        return c.json(page, 200);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_files_usage',
        description:
          'How many bytes of files the current workspace keeps, its quota and what is left of it, and the largest single file it accepts (max_file_bytes).',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/usage',
        tags,
        summary: "The workspace's file storage use and limits",
        responses: { 200: jsonResponse(usageSchema, 'Usage and limits'), ...errorResponses },
      }),
      handler: async (c) => c.json(await files.usage(workspaceOf(c).id), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_file',
        description:
          "Reads one file's metadata by id: name, sniffed content_type, size, sha256, the object it is attached to and who uploaded it. The bytes are at GET /api/files/{id}/content.",
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}',
        tags,
        summary: "A file's metadata",
        request: { params: fileIdParam },
        responses: { 200: jsonResponse(fileSchema, 'The file'), ...errorResponses },
      }),
      handler: async (c) => c.json(await files.get(workspaceOf(c).id, c.req.valid('param').id), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'delete_file',
        description:
          'Deletes one file by id: its metadata, its bytes and its attachment to an object. Records file.deleted. Returns nothing on success.',
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        summary: 'Delete a file and its bytes',
        request: { params: fileIdParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        const { workspaceId, actorId } = callerScope(c);
        await files.delete(workspaceId, actorId, c.req.valid('param').id);
        return c.body(null, 204);
      },
    }),
  ];
}
