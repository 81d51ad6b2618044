/**
 * What other extensions may import from relationships: its service ref, public types
 * and zod wire schemas (reuse `relationshipSchema` instead of copying it).
 */
import { createServiceRef } from '@maskin/contract';
import type { RelationshipsService } from './service.ts';

export { createRelationshipSchema, relationshipSchema } from './routes/schemas.ts';
export type { RelationshipInput, RelationshipsService } from './service.ts';
export type { RelationshipsSettings } from './settings.ts';
export type { Relationship } from './table.ts';

export const relationshipsServiceRef = createServiceRef<RelationshipsService>({
  id: 'relationships.service',
  owner: 'relationships',
});
