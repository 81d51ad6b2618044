/**
 * Fresh tokens. Refresh is single-flight across every caller and every server
 * process, as in claude-oauth: a caller takes the connection's row with SELECT ...
 * FOR UPDATE and only while holding it decides whether the token is near expiry,
 * calls the token endpoint and stores the new pair. A concurrent caller waits on the
 * lock, then reads the refreshed row. Refresh tokens rotate: two refreshes racing
 * would spend one refresh token twice and leave a dead one stored. The lock is held
 * across the HTTP call on purpose; the call is bounded by request_timeout_ms.
 *
 * A refresh job is enqueued, in the transaction that stores tokens, for
 * refresh_margin_seconds before they expire, so an idle workspace's connection stays
 * alive without a caller; its singleton key names the expiry, so the job that
 * refreshes enqueues the next one instead of colliding with itself.
 */
import { type Db, orm } from '@maskin/contract';
import { refreshGrant, TokenEndpointError } from './oauth.ts';
import { open, seal } from './sealed-credentials.ts';
import type { IntegrationsCore } from './service.ts';
import { type IntegrationRow, integrations } from './tables.ts';

const { and, eq, sql } = orm;
const now = sql`date_trunc('milliseconds', now())`;

export const REFRESH_QUEUE = 'refresh';

export async function scheduleRefresh(core: IntegrationsCore, tx: Db, row: IntegrationRow) {
  if (!core.deps.jobs || !row.expiresAt || !row.refreshTokenCiphertext) return;
  const margin = core.deps.config.refresh_margin_seconds * 1000;
  await core.deps.jobs.enqueue(tx, {
    queue: REFRESH_QUEUE,
    workspaceId: row.workspaceId,
    payload: { integrationId: row.id },
    runAt: new Date(Math.max(core.now().getTime(), row.expiresAt.getTime() - margin)),
    singletonKey: `${row.id}:${row.expiresAt.getTime()}`,
    maxAttempts: 3,
  });
}

export function openRow(core: IntegrationsCore, row: IntegrationRow) {
  try {
    return open(core.deps.secrets, { workspaceId: row.workspaceId, rowId: row.id }, row.wrappedKey, {
      access_token: row.accessTokenCiphertext,
      refresh_token: row.refreshTokenCiphertext,
    });
  } catch {
    core.deps.logger.error(
      { workspaceId: row.workspaceId, integrationId: row.id },
      'integrations: stored tokens do not decrypt for this row (altered, copied, or another installation key); connect again',
    );
    return undefined;
  }
}

/**
 * A valid access token, refreshed first when it expires within the margin.
 * undefined when there is no such connection, its tokens do not decrypt, or it has
 * expired and the refresh failed.
 */
export async function freshAccessToken(
  core: IntegrationsCore,
  workspaceId: string,
  integrationId: string,
): Promise<string | undefined> {
  return core.deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(integrations)
      .where(and(eq(integrations.workspaceId, workspaceId), eq(integrations.id, integrationId)))
      .for('update');
    if (!row) return undefined;
    const tokens = openRow(core, row);
    if (!tokens?.access_token) return undefined;
    const at = core.now().getTime();
    const margin = core.deps.config.refresh_margin_seconds * 1000;
    if (!row.expiresAt || row.expiresAt.getTime() - margin > at) return tokens.access_token;
    const provider = core.provider(row.provider);
    const oauth = provider?.oauth?.();
    const stillValid = row.expiresAt.getTime() > at ? tokens.access_token : undefined;
    if (!tokens.refresh_token || !oauth) return stillValid;
    const scope = { workspaceId, actorId: null };
    try {
      const grant = await refreshGrant(oauth, tokens.refresh_token, core.deps.config.request_timeout_ms);
      const next = {
        access_token: grant.accessToken,
        refresh_token: grant.refreshToken ?? tokens.refresh_token,
      };
      const { wrappedKey, sealed } = seal(core.deps.secrets, { workspaceId, rowId: row.id }, next);
      const [updated] = await tx
        .update(integrations)
        .set({
          wrappedKey,
          accessTokenCiphertext: sealed.access_token!,
          refreshTokenCiphertext: sealed.refresh_token!,
          expiresAt: grant.expiresIn === undefined ? null : new Date(at + grant.expiresIn * 1000),
          refreshedAt: now,
          lastRefreshError: null,
          updatedAt: now,
        })
        .where(eq(integrations.id, row.id))
        .returning();
      await scheduleRefresh(core, tx, updated!);
      await core.record(tx, scope, 'integration.refreshed', row.id, {
        provider: row.provider,
        expires_at: updated!.expiresAt?.toISOString() ?? null,
        rotated_refresh_token: grant.refreshToken !== undefined,
      });
      return next.access_token;
    } catch (error) {
      if (!(error instanceof TokenEndpointError)) throw error;
      await tx
        .update(integrations)
        .set({ lastRefreshError: error.message, updatedAt: now })
        .where(eq(integrations.id, row.id));
      await core.record(tx, scope, 'integration.refresh_failed', row.id, {
        provider: row.provider,
        reason: error.message,
      });
      core.deps.logger.warn(
        { workspaceId, integrationId: row.id, reason: error.message },
        'integrations: refresh failed',
      );
      return stillValid;
    }
  });
}
