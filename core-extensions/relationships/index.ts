/**
 * relationships: typed, directed edges between objects of one workspace, mounted at
 * /api/relationships. It owns the edge table; it attaches edges to objects (shown by
 * GET /objects/:id, removed by DELETE /objects/:id) by registering hooks on the
 * objects service at setup. See objects/hooks.ts for why the hooks point this way.
 */
import { dbRef, defineExtension, eventsRef } from '../../kernel/contract/index.ts';
import { objectsServiceRef } from '../objects/api.ts';
import { relationshipsServiceRef } from './api.ts';
import { relationshipRoutes } from './routes/relationships.ts';
import { RelationshipsService } from './service.ts';

export default defineExtension({
  manifest: {
    id: 'relationships',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Typed relationships between objects: informs, breaks_into, blocks, relates_to, duplicates.',
    requires: ['objects'],
    mounts: ['relationships'],
    enablement: 'default-on',
    events: ['relationship.created', 'relationship.deleted'],
  },
  deps: { database: dbRef, events: eventsRef, objects: objectsServiceRef },
  provides: relationshipsServiceRef,
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, isEnabled }) {
    const relationships = new RelationshipsService(deps.events, deps.objects);
    // A workspace that disabled relationships sees objects without edges (the data is
    // kept and shows again once re-enabled); deleting an object still removes its edges.
    deps.objects.hooks.provideLinks(async (db, workspaceId, objectId) =>
      (await isEnabled(workspaceId)) ? relationships.edgesOf(db, workspaceId, objectId) : [],
    );
    deps.objects.hooks.beforeDelete((tx, scope, objectId) =>
      relationships.deleteTouching(tx, scope, objectId),
    );
    deps.objects.hooks.guardSettings((tx, workspaceId, previous, next) =>
      relationships.typesInUseDroppedBy(
        tx,
        workspaceId,
        previous.relationship_types,
        next.relationship_types,
      ),
    );
    return { routes: relationshipRoutes(deps.database.db, relationships), service: relationships };
  },
});
