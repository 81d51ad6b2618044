/**
 * objects: the work objects of a workspace (insights, bets, tasks and custom types),
 * their per-workspace type/status/field settings, and full-text search. Mounted at
 * /api/objects. Publishes its service (api.ts) for relationships and graph, including
 * the hooks through which relationships attaches edges to objects (hooks.ts).
 */
import { dbRef, defineExtension, eventsRef, membersRef } from '../../kernel/contract/index.ts';
import { objectsServiceRef } from './api.ts';
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
    events: ['object.created', 'object.updated', 'object.status_changed', 'object.deleted'],
  },
  deps: { database: dbRef, events: eventsRef, members: membersRef },
  provides: objectsServiceRef,
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, settings }) {
    const objects = new ObjectsService(deps.database, deps.events, deps.members, settings);
    const db = deps.database.db;
    return {
      routes: [...readRoutes(db, objects), ...writeRoutes(db, objects)],
      service: objects,
      onSettingsChange: ({ tx, workspaceId, previous, settings: next }) =>
        refuseSettingsThatStrandObjects(tx, workspaceId, previous, next, objects.hooks),
    };
  },
});
