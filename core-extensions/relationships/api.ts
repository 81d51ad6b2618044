/** What other extensions may import from relationships: its service ref and public types. */
import { createServiceRef } from '../../kernel/contract/index.ts';
import type { RelationshipsService } from './service.ts';

export type { RelationshipInput, RelationshipsService } from './service.ts';
export type { Relationship } from './table.ts';

export const relationshipsServiceRef = createServiceRef<RelationshipsService>({
  id: 'relationships.service',
  owner: 'relationships',
});
