/**
 * What relationships registers on objects' hooks point (objects/hooks.ts): the
 * edges shown on an object, and removing an object's edges when it is deleted.
 * Registered in the register phase, before any setup, so they use only what exists
 * then: the table, the events recorder and enablement.
 */
import { type Db, type ExtensionEvents, orm, preparedQuery } from '@maskin/contract';
import type { ObjectEdge, ObjectHooks, WriteScope } from '../objects/api.ts';
import { type Relationship, relationshipsTable as r, toRelationshipJson } from './table.ts';

const { and, desc, eq, or, sql } = orm;

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

const touching = (workspaceId: string | orm.Placeholder, objectId: string | orm.Placeholder) =>
  and(eq(r.workspaceId, workspaceId), or(eq(r.sourceId, objectId), eq(r.targetId, objectId)));

/** The newest edges touching an object, both directions, built once (hot: every GET of an object). */
const edgesTouching = preparedQuery((db) =>
  db
    .select()
    .from(r)
    .where(touching(sql.placeholder('workspaceId'), sql.placeholder('objectId')))
    .orderBy(desc(r.createdAt), desc(r.id))
    .limit(sql.placeholder('limit'))
    .prepare('relationships_touching'),
);

export function relationshipObjectHooks(
  events: ExtensionEvents,
  isEnabled: (workspaceId: string) => Promise<boolean>,
): ObjectHooks {
  return {
    // A workspace that disabled relationships sees objects without edges (the data is
    // kept and shows again once re-enabled); deleting an object still removes its edges.
    async edgesOf(db, workspaceId, objectId, limit): Promise<ObjectEdge[]> {
      if (!(await isEnabled(workspaceId))) return [];
      const rows =
        limit === undefined
          ? await db
              .select()
              .from(r)
              .where(touching(workspaceId, objectId))
              .orderBy(desc(r.createdAt), desc(r.id))
          : await edgesTouching(db).execute({ workspaceId, objectId, limit });
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
