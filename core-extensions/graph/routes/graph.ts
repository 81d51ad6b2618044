/** POST /graph: a thin adapter from HTTP (and MCP, via `tool`) to the graph service. */
import {
  authOf,
  createRoute,
  type Db,
  defineRoute,
  errorResponses,
  jsonBody,
  jsonResponse,
  workspaceOf,
} from '@maskin/contract';
import type { GraphService } from '../service.ts';
import { graphInputSchema, graphResultSchema, MAX_EDGES, MAX_NODES } from './schemas.ts';

export function graphRoutes(db: Db, graph: GraphService) {
  return [
    defineRoute({
      access: { auth: 'workspace', role: 'member' },
      tool: {
        name: 'create_graph',
        description: `Creates many objects and the relationships between them in one all-or-nothing step, e.g. a bet with its tasks (bet -breaks_into-> task) or insights that inform a bet. nodes (up to ${MAX_NODES}) are objects as in create_objects plus an optional client_id of your choosing; edges (up to ${MAX_EDGES}) have a type and source_id/target_id, each either a client_id from nodes or the id of an existing object. If anything is invalid nothing is created and the error names the node or edge (nodes.3.status, edges.2.target_id). Returns the created objects, relationships and ids mapping client_id to the new object id.`,
      },
      route: createRoute({
        method: 'post',
        path: '/',
        tags: ['Graph'],
        summary: 'Create objects and relationships atomically',
        request: { body: jsonBody(graphInputSchema) },
        responses: { 201: jsonResponse(graphResultSchema, 'What was created'), ...errorResponses },
      }),
      handler: async (c) => {
        const scope = { workspaceId: workspaceOf(c).id, actorId: authOf(c).actor.id };
        const created = await db.transaction((tx) => graph.create(tx, scope, c.req.valid('json')));
        return c.json(created, 201);
      },
    }),
  ];
}
