/** secretSettingsRef: an extension reads its own decrypted secret settings of a workspace, and no one else's. */
import { secretsRef } from '../contract/refs.ts';
import { secretSettingsRef } from '../contract/secret-settings.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { SecretSettingsStore } from '../registry/secret-settings-store.ts';
import { internalDatabaseRef } from './internal-refs.ts';

export const secretSettingsFactory = createServiceFactory({
  service: secretSettingsRef,
  scope: 'extension',
  deps: { database: internalDatabaseRef, secrets: secretsRef },
  factory: ({ database, secrets }, { extension }) => {
    const store = new SecretSettingsStore(database, secrets);
    return { get: async (workspaceId) => (await store.read(workspaceId, extension.id)) as never };
  },
});
