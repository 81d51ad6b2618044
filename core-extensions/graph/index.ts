/**
 * graph: creates many objects and relationships in one transaction, mounted at
 * /api/graph. It owns no table and no rule: it composes the objects and
 * relationships services through their api.ts refs.
 */
import { dbRef, defineExtension } from '@maskin/contract';
import { objectsServiceRef } from '../objects/api.ts';
import { relationshipsServiceRef } from '../relationships/api.ts';
import { graphRoutes } from './routes/graph.ts';
import { GraphService } from './service.ts';

export default defineExtension({
  manifest: {
    id: 'graph',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Creates many objects and the relationships between them at once, all or nothing.',
    requires: ['objects', 'relationships'],
    mounts: ['graph'],
    enablement: 'default-on',
  },
  deps: { database: dbRef, objects: objectsServiceRef, relationships: relationshipsServiceRef },
  setup({ deps }) {
    const graph = new GraphService(deps.objects, deps.relationships);
    return { routes: graphRoutes(deps.database.db, graph) };
  },
});
