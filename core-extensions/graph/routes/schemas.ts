/**
 * Request and response schemas of the graph route (components prefixed `Graph`).
 * Nodes, edges and the results are objects' and relationships' own wire schemas
 * (from their api.ts), so the three extensions cannot drift apart.
 */
import { z } from '@maskin/contract';
import { createObjectSchema, objectSchema } from '../../objects/api.ts';
import { createRelationshipSchema, relationshipSchema } from '../../relationships/api.ts';

export const MAX_NODES = 500;
export const MAX_EDGES = 1000;

const nodeSchema = createObjectSchema
  .extend({
    client_id: z.string().min(1).max(100).optional().openapi({
      description: 'Your temporary id for this node, used by edges of this request',
    }),
  })
  .openapi('GraphNode');

const endOfEdge = z.string().min(1).max(100).openapi({
  description: 'A node client_id from this request, or the id of an existing object',
});

const edgeSchema = createRelationshipSchema
  .extend({ source_id: endOfEdge, target_id: endOfEdge })
  .openapi('GraphEdge');

export const graphInputSchema = z
  .object({
    nodes: z.array(nodeSchema).max(MAX_NODES).default([]),
    edges: z.array(edgeSchema).max(MAX_EDGES).default([]),
  })
  .refine((graph) => graph.nodes.length + graph.edges.length > 0, 'Send at least one node or edge')
  .openapi('GraphInput');

export const graphResultSchema = z
  .object({
    objects: z.array(objectSchema),
    relationships: z.array(relationshipSchema),
    ids: z.record(z.string(), z.string().uuid()).openapi({ description: 'client_id -> created object id' }),
  })
  .openapi('GraphResult');
