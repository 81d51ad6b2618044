/**
 * What relationships registers on objects' hooks point (objects/hooks.ts): the
 * edges shown on an object, and removing an object's edges when it is deleted.
 * Registered in the register phase, before any setup, so they use only what exists
 * then: the table, the events recorder and enablement.
 */
import { type Db, type ExtensionEvents, isoTimeSql, orm } from '@maskin/contract';
import type { ObjectHooks, WriteScope } from '../objects/api.ts';
import { type Relationship, relationshipsTable as r, toRelationshipJson } from './table.ts';

const { and, eq, or } = orm;

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

const EDGE_COLUMNS = 'r.id, r.type, r.source_id, r.target_id, r.created_by, r.created_at';

/** The newest `$1` edges at one end of the object `o`, from that end's index (0003_edges_by_end.sql). */
const newestAt = (end: 'source_id' | 'target_id') => `(select ${EDGE_COLUMNS}
             from relationships r
            where r.workspace_id = o.workspace_id and r.${end} = o.id
            order by r.created_at desc, r.id desc
            limit $1)`;

/**
 * The object's newest `$1` edges as JSON, for the objects row `o` (objects' EdgesSql):
 * the newest `$1` of each end, merged (an edge never has the object at both ends), so
 * PostgreSQL reads at most twice the limit from two indexes however many edges the
 * object has, instead of every edge and a sort.
 */
const EDGES_SQL = `select coalesce(json_agg(json_build_object(
         'id', e.id, 'type', e.type, 'source_id', e.source_id, 'target_id', e.target_id,
         'created_by', e.created_by, 'created_at', ${isoTimeSql('e.created_at')})
         order by e.created_at desc, e.id desc), '[]'::json)
    from (select * from (${newestAt('source_id')}
                         union all
                         ${newestAt('target_id')}) ends
           order by ends.created_at desc, ends.id desc
           limit $1) e`;

export function relationshipObjectHooks(
  events: ExtensionEvents,
  isEnabled: (workspaceId: string) => Promise<boolean>,
): ObjectHooks {
  return {
    // A workspace that disabled relationships sees objects without edges (the data is
    // kept and shows again once re-enabled); deleting an object still removes its edges.
    // Read in the object's own statement: `o` is the object's row there.
    async edgesSql(workspaceId) {
      return (await isEnabled(workspaceId)) ? EDGES_SQL : undefined;
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
