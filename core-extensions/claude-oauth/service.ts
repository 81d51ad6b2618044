/**
 * The workspace's Claude subscription: import, status, delete, and fresh access
 * tokens for sessions. Plain inputs and a transaction, no HTTP.
 *
 * Refresh is single-flight across every session and every server process: a caller
 * takes the workspace's row with SELECT ... FOR UPDATE, and only while holding it
 * decides whether the token is near expiry, calls the token endpoint and stores the
 * new pair. A concurrent caller waits on the lock, then reads the refreshed row and
 * uses it. This matters because refresh tokens rotate: two refreshes racing would
 * spend one refresh token twice, and the loser's answer (or the stored token) would
 * be dead. The lock is held across the HTTP call on purpose; the call is bounded by
 * the endpoint timeout (installation config), and nothing else in the workspace
 * waits on this row.
 *
 * The status read never writes and never decrypts: expiry is stored in clear.
 */
import { randomUUID } from 'node:crypto';
import { type Db, type ExtensionEvents, type ExtensionSecrets, notFound, orm } from '@maskin/contract';
import type { Logger } from 'pino';
import { openTokens, sealTokens, type TokenPair } from './sealed-tokens.ts';
import { type ClaudeOAuthTokenRow, claudeOAuthTokens as tokens } from './table.ts';
import { refreshAtEndpoint, TokenRefreshError } from './token-endpoint.ts';

const { eq, sql } = orm;

export const CLAUDE_OAUTH_EVENT_TYPES = [
  'claude_oauth_token.imported',
  'claude_oauth_token.refreshed',
  'claude_oauth_token.refresh_failed',
  'claude_oauth_token.deleted',
] as const;
type EventType = (typeof CLAUDE_OAUTH_EVENT_TYPES)[number];

export interface ClaudeOAuthConfig {
  token_url: string;
  client_id: string;
  refresh_margin_seconds: number;
  request_timeout_ms: number;
}

export interface ClaudeOAuthDeps {
  db: Db;
  events: ExtensionEvents<EventType> | ExtensionEvents;
  secrets: ExtensionSecrets;
  logger: Logger;
  config: ClaudeOAuthConfig;
  now?: () => Date;
}

export interface ImportInput extends TokenPair {
  expiresAt: Date;
}

const now = sql`date_trunc('milliseconds', now())`;

export type TokenStatus = ReturnType<typeof statusJson>;

export function statusJson(row: ClaudeOAuthTokenRow | undefined, at: Date) {
  if (!row) {
    return {
      configured: false,
      expires_at: null,
      expired: null,
      refreshed_at: null,
      last_refresh_error: null,
      created_by: null,
      created_at: null,
      updated_at: null,
    };
  }
  return {
    configured: true,
    expires_at: row.expiresAt.toISOString(),
    expired: row.expiresAt.getTime() <= at.getTime(),
    refreshed_at: row.refreshedAt?.toISOString() ?? null,
    last_refresh_error: row.lastRefreshError,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export class ClaudeOAuthService {
  private readonly now: () => Date;

  constructor(private readonly deps: ClaudeOAuthDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private record(
    tx: Db,
    row: { id: string; workspaceId: string },
    actorId: string | null,
    type: EventType,
    data = {},
  ) {
    return (this.deps.events as ExtensionEvents).record(tx, {
      workspaceId: row.workspaceId,
      actorId,
      type,
      entityType: 'claude_oauth_token',
      entityId: row.id,
      data,
    });
  }

  async status(db: Db, workspaceId: string) {
    const [row] = await db.select().from(tokens).where(eq(tokens.workspaceId, workspaceId));
    return statusJson(row, this.now());
  }

  /** Stores (or replaces) the workspace's tokens; the row keeps its id, so its binding holds. */
  async import(
    tx: Db,
    scope: { workspaceId: string; actorId: string },
    input: ImportInput,
  ): Promise<TokenStatus> {
    const [existing] = await tx
      .select()
      .from(tokens)
      .where(eq(tokens.workspaceId, scope.workspaceId))
      .for('update');
    const id = existing?.id ?? randomUUID();
    const sealed = sealTokens(this.deps.secrets, { workspaceId: scope.workspaceId, rowId: id }, input);
    const values = {
      ...sealed,
      expiresAt: input.expiresAt,
      refreshedAt: null,
      lastRefreshError: null,
      updatedAt: now,
    };
    const [row] = existing
      ? await tx
          .update(tokens)
          .set({ ...values, createdBy: scope.actorId })
          .where(eq(tokens.id, id))
          .returning()
      : await tx
          .insert(tokens)
          .values({ id, workspaceId: scope.workspaceId, ...values, createdBy: scope.actorId, createdAt: now })
          .onConflictDoNothing()
          .returning();
    // Another import of this workspace committed between our read and our insert.
    if (!row) return this.import(tx, scope, input);
    await this.record(tx, row, scope.actorId, 'claude_oauth_token.imported', {
      expires_at: row.expiresAt.toISOString(),
      replaced: existing !== undefined,
    });
    return statusJson(row, this.now());
  }

  async delete(tx: Db, scope: { workspaceId: string; actorId: string }) {
    const [row] = await tx.delete(tokens).where(eq(tokens.workspaceId, scope.workspaceId)).returning();
    if (!row) throw notFound('This workspace has no Claude subscription tokens');
    await this.record(tx, row, scope.actorId, 'claude_oauth_token.deleted');
  }

  /**
   * A fresh access token for a session, refreshing it first when it expires within
   * the margin. undefined when the workspace has none, when they cannot be decrypted
   * (logged, without values), or when the token has expired and refresh failed.
   */
  async freshAccessToken(workspaceId: string): Promise<string | undefined> {
    return this.deps.db.transaction(async (tx) => {
      const [row] = await tx.select().from(tokens).where(eq(tokens.workspaceId, workspaceId)).for('update');
      if (!row) return undefined;
      let pair: TokenPair;
      try {
        pair = openTokens(this.deps.secrets, { workspaceId, rowId: row.id }, row);
      } catch {
        this.deps.logger.error(
          { workspaceId, tokenId: row.id },
          'claude-oauth: stored tokens do not decrypt for this row (altered, copied, or another installation key); import them again',
        );
        return undefined;
      }
      const at = this.now();
      const margin = this.deps.config.refresh_margin_seconds * 1000;
      if (row.expiresAt.getTime() - margin > at.getTime()) return pair.accessToken;

      try {
        const refreshed = await refreshAtEndpoint({
          tokenUrl: this.deps.config.token_url,
          clientId: this.deps.config.client_id,
          refreshToken: pair.refreshToken,
          timeoutMs: this.deps.config.request_timeout_ms,
          now: this.now,
        });
        const next = {
          accessToken: refreshed.accessToken,
          refreshToken: refreshed.refreshToken ?? pair.refreshToken,
        };
        const sealed = sealTokens(this.deps.secrets, { workspaceId, rowId: row.id }, next);
        await tx
          .update(tokens)
          .set({
            ...sealed,
            expiresAt: refreshed.expiresAt,
            refreshedAt: now,
            lastRefreshError: null,
            updatedAt: now,
          })
          .where(eq(tokens.id, row.id));
        await this.record(tx, row, null, 'claude_oauth_token.refreshed', {
          expires_at: refreshed.expiresAt.toISOString(),
          rotated_refresh_token: refreshed.refreshToken !== undefined,
        });
        return next.accessToken;
      } catch (error) {
        if (!(error instanceof TokenRefreshError)) throw error;
        await tx
          .update(tokens)
          .set({ lastRefreshError: error.message, updatedAt: now })
          .where(eq(tokens.id, row.id));
        await this.record(tx, row, null, 'claude_oauth_token.refresh_failed', { reason: error.message });
        this.deps.logger.warn({ workspaceId, reason: error.message }, 'claude-oauth: token refresh failed');
        // Within the margin the old token still works; past expiry it does not.
        return row.expiresAt.getTime() > at.getTime() ? pair.accessToken : undefined;
      }
    });
  }
}
