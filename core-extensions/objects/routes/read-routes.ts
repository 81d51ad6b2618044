/** List, search and read objects. `/search` is registered before `/{id}`. */
import {
  createRoute,
  defineRoute,
  errorResponses,
  jsonResponse,
  jsonText,
  pageOf,
  workspaceOf,
} from '@maskin/contract';
import type { ObjectsService } from '../service.ts';
import { etagOf } from './etag.ts';
import {
  listQuery,
  objectDetailQuery,
  objectDetailSchema,
  objectIdParam,
  objectSchema,
  searchHitSchema,
  searchQuery,
} from './schemas.ts';

const tags = ['Objects'];

export function readRoutes(objects: ObjectsService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_objects',
        description:
          'Lists objects of the current workspace, filtered by type (insight, bet, task, ...), status, driver (actor id) and updated_since (ISO time), sorted by updated_at (default), created_at or title, newest first unless order=asc. Pages of up to 200: pass next_cursor back as cursor for the next page. To find objects by words, use search_objects.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List objects',
        request: { query: listQuery },
        responses: { 200: jsonResponse(pageOf(objectSchema), 'A page of objects'), ...errorResponses },
      }),
      handler: async (c) => jsonText(c, await objects.listJson(workspaceOf(c).id, c.req.valid('query'))),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'search_objects',
        description:
          'Full-text search over the title, content and text metadata of the objects of the current workspace, best match first. q uses web-search syntax: plain words (all must match), "a quoted phrase", -excluded words, or. Filter with type and status. Each hit has a rank and a snippet with matches in <mark></mark>. When nothing matches, titles spelt like q are returned instead (typos: "exprt" finds "export"), marked match: "similar".',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/search',
        tags,
        summary: 'Full-text search of objects',
        request: { query: searchQuery },
        responses: { 200: jsonResponse(pageOf(searchHitSchema), 'Hits, best first'), ...errorResponses },
      }),
      handler: async (c) => c.json(await objects.search(workspaceOf(c).id, c.req.valid('query')), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'get_object',
        description:
          'Returns one object by id with its newest relationships (typed edges such as informs, breaks_into, blocks; 50 unless relationships_limit says otherwise, at most 200) and the objects at their other ends (their content cut to 2,000 characters). If relationships_truncated is true, page through the rest with list_relationships (source or target = this id). Its version is what update_object expects as expected_version.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}',
        tags,
        summary: 'Get an object with its relationships and connected objects',
        request: { params: objectIdParam, query: objectDetailQuery },
        responses: { 200: jsonResponse(objectDetailSchema, 'The object'), ...errorResponses },
      }),
      handler: async (c) => {
        const detail = await objects.detailJson(
          workspaceOf(c).id,
          c.req.valid('param').id,
          c.req.valid('query').relationships_limit,
        );
        c.header('ETag', etagOf(detail.version));
        return jsonText(c, detail.json);
      },
    }),
  ];
}
