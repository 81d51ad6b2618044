/**
 * objects: the work objects of a workspace (insights, bets, tasks and custom types),
 * their per-workspace type/status/field settings, full-text search, and links (the
 * records of other extensions attached to objects). Mounted at /api/objects.
 * Publishes its service and links (api.ts) and two extension points: the object
 * hooks relationships registers on (hooks.ts) and the link hooks of linkers (links.ts).
 */
import { createServiceFactory, dbRef, defineExtension, eventsRef, membersRef } from '@maskin/contract';
import { objectLinksRef, objectsServiceRef } from './api.ts';
import { ObjectHookRunner, objectHooksPoint } from './hooks.ts';
import { ObjectLinksService, objectLinkHooksPoint } from './links.ts';
import { linkRoutes } from './routes/link-routes.ts';
import { readRoutes } from './routes/read-routes.ts';
import { writeRoutes } from './routes/write-routes.ts';
import { ObjectsService } from './service.ts';
import { settingsSchema } from './settings.ts';
import { refuseSettingsThatStrandObjects } from './settings-guard.ts';

export default defineExtension({
  manifest: {
    id: 'objects',
    version: '1.0.0',
    kernel: '^1.0.0',
    description:
      'Work objects: insights, bets, tasks and custom types, with statuses, custom fields and full-text search.',
    mounts: ['objects'],
    enablement: 'default-on',
    settings: settingsSchema,
    events: [
      'object.created',
      'object.updated',
      'object.status_changed',
      'object.deleted',
      'object.linked',
      'object.unlinked',
    ],
  },
  deps: { database: dbRef, events: eventsRef, members: membersRef },
  provides: objectsServiceRef,
  extensionPoints: [objectHooksPoint, objectLinkHooksPoint],
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, settings, extensionPoints }) {
    const links = new ObjectLinksService(deps.events, extensionPoints.registrations(objectLinkHooksPoint));
    const hooks = new ObjectHookRunner(extensionPoints.registrations(objectHooksPoint));
    const objects = new ObjectsService(deps.database, deps.events, deps.members, settings, hooks, links);
    const db = deps.database.db;
    return {
      routes: [...readRoutes(objects), ...linkRoutes(db, objects, links), ...writeRoutes(db, objects)],
      service: objects,
      serviceFactories: [
        createServiceFactory({
          service: objectLinksRef,
          scope: 'extension',
          factory: (_deps, { extension }) => links.forExtension(extension.id),
        }),
      ],
      onSettingsChange: ({ tx, workspaceId, previous, settings: next }) =>
        refuseSettingsThatStrandObjects(tx, workspaceId, previous, next),
    };
  },
});
