/** What other extensions may import from template-items: its service ref and public types. */
import { createServiceRef } from '@maskin/contract';
import type { TemplateItemsService } from './service.ts';

export type { TemplateItemsItem } from './service.ts';
export const templateItemsServiceRef = createServiceRef<TemplateItemsService>({
  id: 'template-items.service',
  owner: 'template-items',
});
