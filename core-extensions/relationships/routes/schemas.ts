/** Request and response schemas of the relationships routes (components prefixed `Relationships`). */
import { z } from '@maskin/contract';
import { edgeSchema } from '../../objects/api.ts';

/** An edge is the shape objects shows on an object (its api.ts): one schema, two component names. */
export const relationshipSchema = edgeSchema.openapi('RelationshipsRelationship');

export const createRelationshipSchema = z
  .object({
    type: z.string().min(1).max(50).openapi({
      description:
        'A relationship type of this workspace (default: informs, breaks_into, blocks, relates_to, duplicates)',
    }),
    source_id: z.string().uuid().openapi({ description: 'The object the edge starts from' }),
    target_id: z.string().uuid().openapi({ description: 'The object the edge points to' }),
  })
  .openapi('RelationshipsCreateInput');

export const listRelationshipsQuery = z.object({
  source: z.string().uuid().optional().openapi({ description: 'Only edges starting at this object' }),
  target: z.string().uuid().optional().openapi({ description: 'Only edges pointing to this object' }),
  type: z.string().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Page size, 1-200' }),
  cursor: z.string().max(500).optional().openapi({ description: 'next_cursor from the previous page' }),
});

export const relationshipIdParam = z.object({ id: z.string().uuid() });
