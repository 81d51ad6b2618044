/** Read the links of an object: records of other extensions attached to it (links.ts). */
import {
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonResponse,
  pageOf,
  workspaceOf,
} from '@maskin/contract';
import type { ObjectLinksService } from '../links.ts';
import type { ObjectsService } from '../service.ts';
import { linksQuery, objectIdParam, objectLinkSchema } from './schemas.ts';

export function linkRoutes(db: Db, objects: ObjectsService, links: ObjectLinksService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_object_links',
        description:
          'Lists the records of other extensions attached to one object (sessions, files, comments, ...), newest first: each link names the extension, its record_type and record_id. Pages of up to 200: pass next_cursor back as cursor for the next page.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/{id}/links',
        tags: ['Objects'],
        summary: 'List the records linked to an object',
        request: { params: objectIdParam, query: linksQuery },
        responses: { 200: jsonResponse(pageOf(objectLinkSchema), 'A page of links'), ...errorResponses },
      }),
      handler: async (c) => {
        const workspaceId = workspaceOf(c).id;
        const { id } = c.req.valid('param');
        await objects.get(db, workspaceId, id); // 404 for an object not in this workspace
        return c.json(await links.linksOf(db, workspaceId, id, c.req.valid('query')), 200);
      },
    }),
  ];
}
