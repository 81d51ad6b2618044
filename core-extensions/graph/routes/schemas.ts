/** Request and response schemas of the graph route (components prefixed `Graph`). */
import { z } from '../../../kernel/contract/index.ts';

export const MAX_NODES = 500;
export const MAX_EDGES = 1000;

const nodeSchema = z
  .object({
    client_id: z.string().min(1).max(100).optional().openapi({
      description: 'Your temporary id for this node, used by edges of this request',
    }),
    type: z.string().min(1).max(50),
    title: z.string().trim().min(1).max(500),
    content: z.string().max(200_000).optional(),
    status: z.string().min(1).max(50).optional(),
    metadata: z.record(z.string().min(1).max(100), z.unknown()).optional(),
    driver_id: z.string().uuid().nullable().optional(),
  })
  .openapi('GraphNode');

const edgeSchema = z
  .object({
    type: z.string().min(1).max(50),
    source_id: z.string().min(1).max(100).openapi({
      description: 'A node client_id from this request, or the id of an existing object',
    }),
    target_id: z.string().min(1).max(100).openapi({
      description: 'A node client_id from this request, or the id of an existing object',
    }),
  })
  .openapi('GraphEdge');

export const graphInputSchema = z
  .object({
    nodes: z.array(nodeSchema).max(MAX_NODES).default([]),
    edges: z.array(edgeSchema).max(MAX_EDGES).default([]),
  })
  .refine((graph) => graph.nodes.length + graph.edges.length > 0, 'Send at least one node or edge')
  .openapi('GraphInput');

const objectSchema = z
  .object({
    id: z.string().uuid(),
    type: z.string(),
    title: z.string(),
    content: z.string(),
    status: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    driver_id: z.string().uuid().nullable(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    version: z.number().int(),
  })
  .openapi('GraphObject');

const relationshipSchema = z
  .object({
    id: z.string().uuid(),
    type: z.string(),
    source_id: z.string().uuid(),
    target_id: z.string().uuid(),
    created_by: z.string().uuid().nullable(),
    created_at: z.string(),
  })
  .openapi('GraphRelationship');

export const graphResultSchema = z
  .object({
    objects: z.array(objectSchema),
    relationships: z.array(relationshipSchema),
    ids: z.record(z.string(), z.string().uuid()).openapi({ description: 'client_id -> created object id' }),
  })
  .openapi('GraphResult');
