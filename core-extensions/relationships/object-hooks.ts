/**
 * What relationships registers on objects' hooks point (objects/hooks.ts): the
 * edges shown on an object, and removing an object's edges when it is deleted.
 * Registered in the register phase, before any setup, so they use only what exists
 * then: the table, the events recorder and enablement.
 */
import { type Db, type ExtensionEvents, orm } from '@maskin/contract';
import type { ObjectEdge, ObjectHooks, WriteScope } from '../objects/api.ts';
import { type Relationship, relationshipsTable as r, toRelationshipJson } from './table.ts';

const { and, desc, eq, or } = orm;

export function recordRelationshipEvent(
  events: ExtensionEvents,
  tx: Db,
  scope: WriteScope,
  type: 'relationship.created' | 'relationship.deleted',
  edge: Relationship,
) {
  return events.record(tx, {
    workspaceId: scope.workspaceId,
    actorId: scope.actorId,
    type,
    entityType: 'relationship',
    entityId: edge.id,
    data: { type: edge.type, source_id: edge.source_id, target_id: edge.target_id },
  });
}

const touching = (workspaceId: string, objectId: string) =>
  and(eq(r.workspaceId, workspaceId), or(eq(r.sourceId, objectId), eq(r.targetId, objectId)));

export function relationshipObjectHooks(
  events: ExtensionEvents,
  isEnabled: (workspaceId: string) => Promise<boolean>,
): ObjectHooks {
  return {
    // A workspace that disabled relationships sees objects without edges (the data is
    // kept and shows again once re-enabled); deleting an object still removes its edges.
    async edgesOf(db, workspaceId, objectId, limit): Promise<ObjectEdge[]> {
      if (!(await isEnabled(workspaceId))) return [];
      const query = db
        .select()
        .from(r)
        .where(touching(workspaceId, objectId))
        .orderBy(desc(r.createdAt), desc(r.id));
      const rows = await (limit === undefined ? query : query.limit(limit));
      return rows.map(toRelationshipJson);
    },
    async beforeDelete(tx, scope, objectId) {
      const rows = await tx.delete(r).where(touching(scope.workspaceId, objectId)).returning();
      return async () => {
        for (const row of rows) {
          await recordRelationshipEvent(events, tx, scope, 'relationship.deleted', toRelationshipJson(row));
        }
      };
    },
  };
}
