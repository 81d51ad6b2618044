/** What other extensions may import from objects: its service ref and public types. */
import { createServiceRef } from '../../kernel/contract/index.ts';
import type { ObjectsService } from './service.ts';

export type {
  BeforeDeleteHook,
  LinksProvider,
  ObjectEdge,
  PendingEvents,
  WriteScope,
} from './hooks.ts';
export type { CreateObjectInput, ItemPath, ObjectsService, Prepared, UpdateObjectInput } from './service.ts';
export type { ObjectsSettings } from './settings.ts';
export type { WorkObject } from './table.ts';

export const objectsServiceRef = createServiceRef<ObjectsService>({
  id: 'objects.service',
  owner: 'objects',
});
