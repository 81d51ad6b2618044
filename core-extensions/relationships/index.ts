/**
 * relationships: typed, directed edges between objects of one workspace, mounted at
 * /api/relationships. It owns the edge table and its types (its own settings); it
 * attaches edges to objects (shown by GET /objects/:id, removed by DELETE
 * /objects/:id) by registering on objects' hooks extension point before any setup
 * runs (object-hooks.ts). See objects/hooks.ts for why the hooks point this way.
 */
import { conflict, dbRef, defineExtension, eventsRef } from '@maskin/contract';
import { objectHooksPoint, objectsServiceRef } from '../objects/api.ts';
import { relationshipsServiceRef } from './api.ts';
import { relationshipObjectHooks } from './object-hooks.ts';
import { relationshipRoutes } from './routes/relationships.ts';
import { RelationshipsService } from './service.ts';
import { settingsSchema } from './settings.ts';

export default defineExtension({
  manifest: {
    id: 'relationships',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Typed relationships between objects: informs, breaks_into, blocks, relates_to, duplicates.',
    requires: ['objects'],
    mounts: ['relationships'],
    enablement: 'default-on',
    settings: settingsSchema,
    events: ['relationship.created', 'relationship.deleted'],
  },
  deps: { database: dbRef, events: eventsRef, objects: objectsServiceRef },
  provides: relationshipsServiceRef,
  migrations: new URL('./migrations/', import.meta.url),
  async register({ extensionPoints, kernelService, isEnabled }) {
    const events = await kernelService(eventsRef);
    extensionPoints.add(objectHooksPoint, relationshipObjectHooks(events, isEnabled));
  },
  setup({ deps, settings }) {
    const relationships = new RelationshipsService(deps.events, deps.objects, settings);
    return {
      routes: relationshipRoutes(deps.database.db, relationships),
      service: relationships,
      // Dropping a type that edges use would leave edges no write could recreate.
      async onSettingsChange({ tx, workspaceId, previous, settings: next }) {
        const inUse = await relationships.typesInUseDroppedBy(
          tx,
          workspaceId,
          previous.relationship_types,
          next.relationship_types,
        );
        if (inUse.length > 0) {
          throw conflict(
            `These settings contradict existing data: ${inUse.join('; ')}. Delete those relationships first, or keep their types.`,
          );
        }
      },
    };
  },
});
