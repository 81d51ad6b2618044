/**
 * Secret settings of extensions, per workspace (table extension_secrets).
 *
 * Why this is safe: a value is validated by the extension's `secrets` schema, then
 * only its ciphertext (the kernel secrets service: AES-256-GCM with the installation
 * key) is written. Nothing here returns a plaintext except `read`, which only the
 * extension's own secretSettingsRef calls; the API learns which keys are set, and the
 * settings event learns which keys changed. Validation errors name the field and
 * carry zod's message, which does not echo the input.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { validationError } from '../contract/errors.ts';
import type { ExtensionSecrets } from '../contract/refs.ts';
import { type Database, type Db, resultRows } from '../db/database.ts';

export interface SecretChanges {
  /** Validated (parsed) values to store, by key. */
  set: Record<string, unknown>;
  cleared: string[];
}

/** The keys a `secrets` schema declares (an object schema; anything else declares none we can list). */
export function declaredSecretKeys(schema: z.ZodType | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** Checks `{ key: value | null }` against the extension's schema; throws a 400 naming the field. */
export function checkSecretChanges(
  extensionId: string,
  schema: z.ZodType | undefined,
  changes: Record<string, unknown>,
): SecretChanges {
  if (Object.keys(changes).length === 0) return { set: {}, cleared: [] };
  const declared = new Set(declaredSecretKeys(schema));
  const unknown = Object.keys(changes).filter((key) => !declared.has(key));
  if (unknown.length > 0) {
    throw validationError(
      `Extension "${extensionId}" ${declared.size === 0 ? 'declares no secrets' : `has no secret named ${unknown.map((k) => `"${k}"`).join(', ')}; its secrets are ${[...declared].join(', ')}`}`,
      unknown.map((key) => ({ path: `secrets.${key}`, message: 'not a secret of this extension' })),
    );
  }
  const cleared = Object.keys(changes).filter((key) => changes[key] === null);
  const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== null));
  // Only the keys sent are checked: the others keep their stored values.
  const parsed = (schema as z.ZodObject).partial().safeParse(given);
  if (!parsed.success) {
    throw validationError(
      `Invalid secrets for extension "${extensionId}"`,
      parsed.error.issues.map((issue) => ({
        path: ['secrets', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    );
  }
  const values = parsed.data as Record<string, unknown>;
  const set = Object.fromEntries(Object.keys(given).map((key) => [key, values[key]]));
  return { set, cleared };
}

export class SecretSettingsStore {
  constructor(
    private readonly database: Database,
    private readonly secrets: ExtensionSecrets,
  ) {}

  /** Which keys are set, per extension, in a workspace. */
  async keysSet(workspaceId: string, tx?: Db): Promise<Map<string, Set<string>>> {
    const rows = resultRows<{ extension_id: string; key: string }>(
      await (tx ?? this.database.db).execute(
        sql`select extension_id, key from extension_secrets where workspace_id = ${workspaceId}`,
      ),
    );
    const byExtension = new Map<string, Set<string>>();
    for (const row of rows) {
      const keys = byExtension.get(row.extension_id) ?? new Set<string>();
      keys.add(row.key);
      byExtension.set(row.extension_id, keys);
    }
    return byExtension;
  }

  async write(
    tx: Db,
    target: { workspaceId: string; extensionId: string; actorId: string | null },
    changes: SecretChanges,
  ): Promise<void> {
    const { workspaceId, extensionId, actorId } = target;
    for (const [key, value] of Object.entries(changes.set)) {
      const ciphertext = this.secrets.encrypt(JSON.stringify(value));
      await tx.execute(sql`
        insert into extension_secrets (workspace_id, extension_id, key, ciphertext, updated_by)
        values (${workspaceId}, ${extensionId}, ${key}, ${ciphertext}, ${actorId})
        on conflict (workspace_id, extension_id, key) do update
          set ciphertext = excluded.ciphertext, updated_by = excluded.updated_by, updated_at = now()`);
    }
    for (const key of changes.cleared) {
      await tx.execute(
        sql`delete from extension_secrets where workspace_id = ${workspaceId} and extension_id = ${extensionId} and key = ${key}`,
      );
    }
  }

  /** The decrypted values of one extension in a workspace (for that extension only). */
  async read(workspaceId: string, extensionId: string): Promise<Record<string, unknown>> {
    const rows = await this.database.query<{ key: string; ciphertext: string }>(
      'select key, ciphertext from extension_secrets where workspace_id = $1 and extension_id = $2',
      [workspaceId, extensionId],
    );
    return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(this.secrets.decrypt(row.ciphertext))]));
  }
}
