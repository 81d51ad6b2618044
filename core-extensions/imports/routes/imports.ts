/** Import routes: thin adapters from HTTP (and MCP, via `tool`) to the service. */
import {
  callerScope,
  createRoute,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  multipartBody,
  pageOf,
  pageQuery,
  readMultipart,
  validationError,
  workspaceOf,
} from '@maskin/contract';
import { MULTIPART_OVERHEAD } from '../../files/api.ts';
import type { ImportsService } from '../service.ts';
import {
  fromFileSchema,
  importErrorSchema,
  importIdParam,
  importSchema,
  setMappingSchema,
} from './schemas.ts';

const tags = ['Imports'];
const created = {
  201: jsonResponse(importSchema, 'The import, previewed, with a proposed mapping'),
  ...errorResponses,
};
const one = { 200: jsonResponse(importSchema, 'The import'), ...errorResponses };

export function importRoutes(imports: ImportsService, maxUploadBytes: number) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      policy: { bodyLimit: maxUploadBytes + MULTIPART_OVERHEAD },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Upload a CSV or JSON file to import',
        description:
          'Stores the file (multipart part `file`, files limits apply), previews it (columns, sample rows, row count, delimiter, encoding) and proposes a mapping to object fields. Nothing is imported until confirm.',
        request: { body: multipartBody({ files: { file: { description: 'CSV, JSON array or NDJSON' } } }) },
        responses: created,
      }),
      handler: async (c) => {
        let result: Awaited<ReturnType<ImportsService['createFromUpload']>> | undefined;
        for await (const part of readMultipart(c, { maxFiles: 1, maxFields: 10 })) {
          if (part.kind !== 'file' || part.name !== 'file') continue;
          result = await imports.createFromUpload(callerScope(c), {
            stream: part.stream,
            filename: part.filename,
            declaredType: part.mimeType,
          });
        }
        if (result) return c.json(result, 201);
        throw validationError('The upload has no file: send it as the multipart part named "file"', [
          { path: 'file', message: 'required' },
        ]);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_import_from_file',
        description:
          'Starts an import from a file already uploaded to the files extension (CSV, JSON array or NDJSON): previews it and proposes a mapping to objects. Review the mapping (set_import_mapping), then confirm_import.',
      },
      route: createRoute({
        method: 'post',
        path: '/from-file',
        tags,
        summary: 'Preview an uploaded file for import',
        request: { body: jsonBody(fromFileSchema) },
        responses: created,
      }),
      handler: async (c) =>
        c.json(await imports.createFromFile(callerScope(c), c.req.valid('json').file_id), 201),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_imports',
        description:
          'Lists the imports of the current workspace, newest first, with status and progress. Pages of up to 200.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List imports',
        request: { query: pageQuery },
        responses: { 200: jsonResponse(pageOf(importSchema), 'A page of imports'), ...errorResponses },
      }),
      handler: async (c) => c.json(await imports.list(workspaceOf(c).id, c.req.valid('query')), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_import',
        description:
          'Reads one import: its preview (columns, sample rows, row count, delimiter, encoding), its mapping, status and progress, and when finished the counts of imported and failed rows.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}',
        tags,
        summary: 'An import, its preview, mapping and progress',
        request: { params: importIdParam },
        responses: one,
      }),
      handler: async (c) => c.json(await imports.get(workspaceOf(c).id, c.req.valid('param').id), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_import_errors',
        description:
          'Lists the rows of an import that were not imported, in row order, each with its file line and the reasons.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}/errors',
        tags,
        summary: 'Rows an import could not import, with line numbers',
        request: { params: importIdParam, query: pageQuery },
        responses: {
          200: jsonResponse(pageOf(importErrorSchema), 'A page of row errors'),
          ...errorResponses,
        },
      }),
      handler: async (c) =>
        c.json(await imports.errors(workspaceOf(c).id, c.req.valid('param').id, c.req.valid('query')), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'set_import_mapping',
        description:
          'Replaces the mapping of a previewed import: objects (one or more per row, each with key, type, title, optional content, status and custom fields, each from a column or a constant) and relationships between those objects by key.',
      },
      route: createRoute({
        method: 'put',
        path: '/{id}/mapping',
        tags,
        summary: 'Edit the mapping of an import before confirming',
        request: { params: importIdParam, body: jsonBody(setMappingSchema) },
        responses: one,
      }),
      handler: async (c) =>
        c.json(
          await imports.setMapping(callerScope(c), c.req.valid('param').id, c.req.valid('json').mapping),
          200,
        ),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'confirm_import',
        description:
          'Starts importing a previewed import in the background. Confirming again does nothing new. Follow progress with get_import (or import.progress events).',
        annotations: { idempotentHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/{id}/confirm',
        tags,
        summary: 'Confirm an import: run it as a background job',
        request: { params: importIdParam },
        responses: {
          202: jsonResponse(importSchema, 'Queued (or already running or done)'),
          ...errorResponses,
        },
      }),
      handler: async (c) => c.json(await imports.confirm(callerScope(c), c.req.valid('param').id), 202),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'cancel_import',
        description:
          'Cancels an import that has not finished. Rows already committed stay; no further rows are written.',
        annotations: { idempotentHint: true },
      },
      route: createRoute({
        method: 'post',
        path: '/{id}/cancel',
        tags,
        summary: 'Cancel an import',
        request: { params: importIdParam },
        responses: one,
      }),
      handler: async (c) => c.json(await imports.cancel(callerScope(c), c.req.valid('param').id), 200),
    }),
  ];
}
