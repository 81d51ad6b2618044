/**
 * blobsRef: each extension sees its own part of the blob store, per workspace
 * (`<extension>/<workspace>/<key>`), so keys cannot reach another extension's or
 * workspace's bytes.
 */
import { assertBlobKey, blobsRef } from '../contract/blobs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { internalBlobStoreRef } from './internal-refs.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const blobsFactory = createServiceFactory({
  service: blobsRef,
  scope: 'extension',
  deps: { store: internalBlobStoreRef },
  factory: ({ store }, { extension }) => {
    const fullKey = (workspaceId: string, key: string) => {
      if (!UUID.test(workspaceId))
        throw new TypeError(`Invalid workspace id "${workspaceId}" for a blob key`);
      assertBlobKey(key);
      return `${extension.id}/${workspaceId}/${key}`;
    };
    return {
      put: async (workspaceId, key, body) => store.put(fullKey(workspaceId, key), body),
      get: async (workspaceId, key, range) => store.get(fullKey(workspaceId, key), range),
      head: async (workspaceId, key) => store.head(fullKey(workspaceId, key)),
      delete: async (workspaceId, key) => store.delete(fullKey(workspaceId, key)),
    };
  },
});
