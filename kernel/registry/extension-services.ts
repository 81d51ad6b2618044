/**
 * The kernel services an extension receives through kernel refs, each bound to that
 * extension: its logger is a child named after it, its event recorder refuses event
 * types its manifest does not declare, its storage is namespaced by its id.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { deriveKey } from '../auth/installation-key.ts';
import type { KernelConfig } from '../config.ts';
import type { ExtensionManifest } from '../contract/extension.ts';
import type {
  ExtensionDatabase,
  ExtensionEvents,
  ExtensionSecrets,
  ExtensionStorage,
} from '../contract/refs.ts';
import { configRef, dbRef, eventsRef, loggerRef, secretsRef, storageRef } from '../contract/refs.ts';
import { type Database, type Db, resultRows } from '../db/database.ts';
import { recordEvent } from '../events/record-event.ts';

export function extensionDatabase(database: Database): ExtensionDatabase {
  return { db: database.db, query: (text, params) => database.query(text, params) };
}

export function extensionEvents(manifest: ExtensionManifest): ExtensionEvents {
  const declared = new Set(manifest.events ?? []);
  return {
    record: (tx, event) => {
      if (!declared.has(event.type)) {
        throw new Error(
          `Extension "${manifest.id}" recorded event type "${event.type}", which its manifest does not declare; add it to manifest.events`,
        );
      }
      return recordEvent(tx, event);
    },
  };
}

export function extensionStorage(database: Database, extensionId: string): ExtensionStorage {
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
}

/** AES-256-GCM with a key derived from the installation key (auth/installation-key.ts). */
export function createSecrets(installationKey: Buffer): ExtensionSecrets {
  const key = deriveKey(installationKey, 'extension secrets');
  return {
    encrypt: (plaintext) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    decrypt: (ciphertext) => {
      if (!ciphertext.startsWith('v1.')) throw new Error('Unknown secret format');
      const raw = Buffer.from(ciphertext.slice(3), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

export interface KernelRefValues {
  database: Database;
  logger: Logger;
  config: KernelConfig;
  secrets: ExtensionSecrets;
}

/** The value of a kernel ref for one extension. */
export function kernelRefValue(refId: string, manifest: ExtensionManifest, kernel: KernelRefValues): unknown {
  switch (refId) {
    case dbRef.id:
      return extensionDatabase(kernel.database);
    case eventsRef.id:
      return extensionEvents(manifest);
    case loggerRef.id:
      return kernel.logger.child({ extension: manifest.id });
    case configRef.id: {
      // Extensions reach the database through dbRef and secrets through secretsRef:
      // the credentials behind them are not theirs to read.
      const { databaseUrl: _url, secretKey: _key, ...visible } = kernel.config;
      return Object.freeze(visible);
    }
    case storageRef.id:
      return extensionStorage(kernel.database, manifest.id);
    case secretsRef.id:
      return kernel.secrets;
    default:
      throw new Error(`Unknown kernel service ${refId}`);
  }
}
