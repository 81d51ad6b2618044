/**
 * storageRef: a small key/value store per extension and workspace, for state not worth
 * a table. Writes take the caller's transaction so they commit with the mutation.
 */
import { sql } from 'drizzle-orm';
import { storageRef } from '../contract/refs.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import { type Db, resultRows } from '../db/database.ts';
import { internalDatabaseRef } from './internal-refs.ts';

export const storageFactory = createServiceFactory({
  service: storageRef,
  scope: 'extension',
  deps: { database: internalDatabaseRef },
  factory: ({ database }, { extension }) => {
    const extensionId = extension.id;
    const run = (tx: Db | undefined) => tx ?? database.db;
    return {
      get: async (workspaceId, key) => {
        const [row] = resultRows<{ value: unknown }>(
          await database.db.execute(
            sql`select value from extension_storage where extension_id = ${extensionId} and workspace_id = ${workspaceId} and key = ${key}`,
          ),
        );
        return row?.value as never;
      },
      set: async (tx, workspaceId, key, value) => {
        await run(tx).execute(sql`
          insert into extension_storage (extension_id, workspace_id, key, value)
          values (${extensionId}, ${workspaceId}, ${key}, ${JSON.stringify(value)}::jsonb)
          on conflict (extension_id, workspace_id, key) do update set value = excluded.value, updated_at = now()`);
      },
      delete: async (tx, workspaceId, key) => {
        await run(tx).execute(
          sql`delete from extension_storage where extension_id = ${extensionId} and workspace_id = ${workspaceId} and key = ${key}`,
        );
      },
    };
  },
});
