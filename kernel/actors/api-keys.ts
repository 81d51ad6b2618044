/** API key lifecycle: create (secret shown once), list (never the secret), revoke. */
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { displayPrefixOf, generateApiKey, hashApiKey } from '../auth/api-key-format.ts';
import { API_KEY_CHANNEL } from '../auth/api-key-verifier.ts';
import { conflict, notFound, validationError } from '../contract/errors.ts';
import { decodeTimeIdCursor, toPage } from '../contract/pagination.ts';
import { type Db, resultRows } from '../db/database.ts';
import { apiKeys } from '../db/schema.ts';
import { recordEvent } from '../events/record-event.ts';

type ApiKeyRow = typeof apiKeys.$inferSelect;

export function apiKeyJson(row: ApiKeyRow) {
  return {
    id: row.id,
    actor_id: row.actorId,
    name: row.name,
    prefix: row.displayPrefix,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

export interface CreateApiKeyInput {
  actorId: string;
  name: string;
  expiresAt?: Date | null;
  createdBy: string | null;
  /** The workspace whose event log records the creation (agents' keys); null for account-level. */
  workspaceId: string | null;
  /** Limits the key to this workspace (session keys, kernel/capabilities/agent-keys.ts). */
  limitedToWorkspace?: string;
  /** At most this many unrevoked, unexpired keys per actor (issue 10, finding 10). */
  maxActiveKeys?: number;
}

export async function createApiKey(tx: Db, input: CreateApiKeyInput) {
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw validationError('expires_at must be in the future', [
      { path: 'expires_at', message: 'in the past' },
    ]);
  }
  if (input.maxActiveKeys !== undefined) {
    // The actor's row lock serialises concurrent creations, so the count holds.
    resultRows(await tx.execute(sql`select 1 from actors where id = ${input.actorId} for update`));
    const [row] = resultRows<{ n: number | string }>(
      await tx.execute(sql`select count(*) as n from api_keys
        where actor_id = ${input.actorId} and revoked_at is null and (expires_at is null or expires_at > now())`),
    );
    if (Number(row?.n ?? 0) >= input.maxActiveKeys) {
      throw conflict(
        `This actor already has ${input.maxActiveKeys} active API keys, the most allowed; revoke one before creating another`,
      );
    }
  }
  const secret = generateApiKey();
  const [row] = await tx
    .insert(apiKeys)
    .values({
      actorId: input.actorId,
      name: input.name,
      keyHash: hashApiKey(secret),
      displayPrefix: displayPrefixOf(secret),
      createdBy: input.createdBy,
      expiresAt: input.expiresAt ?? null,
      workspaceId: input.limitedToWorkspace ?? null,
    })
    .returning();
  await recordEvent(tx, {
    workspaceId: input.workspaceId,
    actorId: input.createdBy,
    type: 'api_key.created',
    entityType: 'api_key',
    entityId: row!.id,
    data: { actor_id: input.actorId, name: input.name },
  });
  return { ...apiKeyJson(row!), key: secret };
}

/**
 * The sort key of the key list: created_at at the millisecond precision of the ISO
 * timestamp in the cursor. Sorting and comparing on the stored microseconds instead
 * would skip every key created in the same millisecond as the last one on a page.
 */
const createdMs = sql`date_trunc('milliseconds', ${apiKeys.createdAt})`;

export async function listApiKeys(db: Db, actorId: string, limit: number, cursor: string | undefined) {
  const conditions = [eq(apiKeys.actorId, actorId)];
  if (cursor) {
    // A tampered cursor (a time past 9999, a non-uuid id) is a 400, never a driver error.
    const { at: createdAt, id } = decodeTimeIdCursor(cursor);
    const at = createdAt.toISOString();
    conditions.push(
      or(
        sql`${createdMs} < ${at}::timestamptz`,
        and(sql`${createdMs} = ${at}::timestamptz`, lt(apiKeys.id, id)),
      )!,
    );
  }
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(...conditions))
    .orderBy(desc(createdMs), desc(apiKeys.id))
    .limit(limit + 1);
  return toPage(rows, limit, apiKeyJson, (row) => [row.createdAt.toISOString(), row.id]);
}

export async function revokeApiKey(
  tx: Db,
  input: { actorId: string; keyId: string; revokedBy: string; workspaceId: string | null },
) {
  const ofActor = and(eq(apiKeys.id, input.keyId), eq(apiKeys.actorId, input.actorId));
  const [row] = await tx
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(ofActor, isNull(apiKeys.revokedAt)))
    .returning();
  if (!row) {
    // Already revoked: answer as before, but nothing changed, so no event and no NOTIFY.
    const [revoked] = await tx.select().from(apiKeys).where(ofActor);
    if (!revoked) throw notFound('API key not found');
    return apiKeyJson(revoked);
  }
  // Every process evicts the key from its verification cache when this commits.
  resultRows(await tx.execute(sql`select pg_notify(${API_KEY_CHANNEL}, ${row.id})`));
  await recordEvent(tx, {
    workspaceId: input.workspaceId,
    actorId: input.revokedBy,
    type: 'api_key.revoked',
    entityType: 'api_key',
    entityId: row.id,
    data: { actor_id: input.actorId },
  });
  return apiKeyJson(row);
}
