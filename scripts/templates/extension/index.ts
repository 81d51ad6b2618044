/**
 * template-items: a list of items per workspace. Scaffolded by `npm run new-extension`;
 * docs/extensions.md explains each part. Mounted by the kernel at /api/m/template-items.
 */
import { dbRef, defineExtension, eventsRef } from '@maskin/contract';
import { templateItemsServiceRef } from './api.ts';
import { itemRoutes } from './routes/items.ts';
import { TemplateItemsService } from './service.ts';
import { settingsSchema } from './settings.ts';

export default defineExtension({
  manifest: {
    id: 'template-items',
    version: '0.1.0',
    kernel: '^1.0.0',
    description: 'Template items: a list of items per workspace.',
    enablement: 'opt-in',
    settings: settingsSchema,
    events: ['template_items_item.created'],
  },
  deps: { database: dbRef, events: eventsRef },
  provides: templateItemsServiceRef,
  migrations: new URL('./migrations/', import.meta.url),
  setup({ deps, settings }) {
    const service = new TemplateItemsService(deps.events);
    return {
      routes: itemRoutes({ db: deps.database.db, service, settings }),
      service,
    };
  },
});
