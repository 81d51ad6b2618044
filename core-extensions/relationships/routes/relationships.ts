/** Relationship routes: thin adapters from HTTP (and MCP, via `tool`) to the service. */
import {
  callerScope,
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  pageOf,
  workspaceOf,
} from '@maskin/contract';
import type { RelationshipsService } from '../service.ts';
import {
  createRelationshipSchema,
  listRelationshipsQuery,
  relationshipIdParam,
  relationshipSchema,
} from './schemas.ts';

const tags = ['Relationships'];

export function relationshipRoutes(db: Db, relationships: RelationshipsService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_relationship',
        description:
          'Links two existing objects of the current workspace with a typed, directed edge: source_id -[type]-> target_id. Default types: informs (insight informs bet), breaks_into (bet breaks into task), blocks, relates_to, duplicates. The same edge twice is refused (409). Returns the relationship with its id.',
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags,
        summary: 'Create a relationship between two objects',
        request: { body: jsonBody(createRelationshipSchema) },
        responses: { 201: jsonResponse(relationshipSchema, 'The relationship'), ...errorResponses },
      }),
      handler: async (c) => {
        const created = await db.transaction((tx) =>
          relationships.create(tx, callerScope(c), c.req.valid('json')),
        );
        return c.json(created, 201);
      },
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'viewer' },
      tool: {
        name: 'list_relationships',
        description:
          'Lists relationships of the current workspace, newest first, filtered by source (object id the edge starts at), target (object id it points to) and type. Pages of up to 200: pass next_cursor back as cursor. To see everything linked to one object with the objects themselves, use get_object.',
        annotations: { readOnlyHint: true },
      },
      route: createRoute({
        method: 'get',
        path: '/',
        tags,
        summary: 'List relationships',
        request: { query: listRelationshipsQuery },
        responses: {
          200: jsonResponse(pageOf(relationshipSchema), 'A page of relationships'),
          ...errorResponses,
        },
      }),
      handler: async (c) =>
        c.json(await relationships.list(db, workspaceOf(c).id, c.req.valid('query')), 200),
    }),
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'delete_relationship',
        description:
          'Deletes one relationship by its id; the objects it linked stay. Returns nothing on success.',
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      route: createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        summary: 'Delete a relationship',
        request: { params: relationshipIdParam },
        responses: { 204: { description: 'Deleted' }, ...errorResponses },
      }),
      handler: async (c) => {
        await db.transaction((tx) => relationships.delete(tx, callerScope(c), c.req.valid('param').id));
        return c.body(null, 204);
      },
    }),
  ];
}
