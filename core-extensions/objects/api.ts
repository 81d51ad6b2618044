/**
 * What other extensions may import from objects: its service refs, its extension
 * points, its public types and its zod wire schemas (so an extension that returns
 * objects, edges or links reuses these instead of copying them).
 */
import { createServiceRef } from '@maskin/contract';
import type { ObjectLinks } from './links.ts';
import type { ObjectsService } from './service.ts';

export type {
  AfterWriteHook,
  BeforeDeleteHook,
  EdgesProvider,
  EdgesSql,
  ObjectEdge,
  ObjectHooks,
  PendingEvents,
  WriteScope,
  WrittenObject,
} from './hooks.ts';
export { objectHooksPoint } from './hooks.ts';
export type {
  LinkInput,
  LinkPage,
  ObjectDeletedContext,
  ObjectLinkHooks,
  ObjectLinks,
  PageRequest,
} from './links.ts';
export { objectLinkHooksPoint } from './links.ts';
export type { ObjectLink } from './links-table.ts';
export {
  createObjectSchema,
  edgeSchema,
  objectDetailSchema,
  objectLinkSchema,
  objectSchema,
} from './routes/schemas.ts';
export type { CreateObjectInput, ItemPath, ObjectsService, Prepared, UpdateObjectInput } from './service.ts';
export type { ObjectsSettings } from './settings.ts';
export type { WorkObject } from './table.ts';

export const objectsServiceRef = createServiceRef<ObjectsService>({
  id: 'objects.service',
  owner: 'objects',
});

/**
 * Attach your extension's records to objects (see links.ts). Built for each
 * extension that asks, with its id bound in: list it in deps and require objects.
 */
export const objectLinksRef = createServiceRef<ObjectLinks>({
  id: 'objects.links',
  owner: 'objects',
});
