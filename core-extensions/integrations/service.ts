/**
 * Connections: store, list, disconnect, find. Plain inputs and a transaction, no
 * HTTP (the OAuth dance is in oauth-flow.ts, fresh tokens and refresh in refresh.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  type Db,
  decodeTimeIdCursor,
  type ExtensionEvents,
  type ExtensionJobs,
  type ExtensionSecrets,
  orm,
  toPage,
} from '@maskin/contract';
import type { Logger } from 'pino';
import type { IntegrationProvider, IntegrationSummary, TokenGrant } from './api.ts';
import { revokeAt } from './oauth.ts';
import { freshAccessToken, openRow, scheduleRefresh } from './refresh.ts';
import { seal } from './sealed-credentials.ts';
import { type IntegrationRow, integrations } from './tables.ts';

const { and, desc, eq, or, lt, sql } = orm;

export const INTEGRATION_EVENT_TYPES = [
  'integration.connect_started',
  'integration.connected',
  'integration.connect_failed',
  'integration.refreshed',
  'integration.refresh_failed',
  'integration.disconnected',
] as const;
export type IntegrationEventType = (typeof INTEGRATION_EVENT_TYPES)[number];

export interface IntegrationsConfig {
  ui_url: string;
  public_url?: string;
  refresh_margin_seconds: number;
  request_timeout_ms: number;
}

export interface IntegrationsDeps {
  db: Db;
  events: ExtensionEvents;
  secrets: ExtensionSecrets;
  jobs?: ExtensionJobs;
  logger: Logger;
  config: IntegrationsConfig;
  providers(): IntegrationProvider[];
  now?: () => Date;
}

const now = sql`date_trunc('milliseconds', now())`;

export function integrationJson(row: IntegrationRow, provider: IntegrationProvider | undefined) {
  return {
    id: row.id,
    provider: row.provider,
    provider_name: provider?.name ?? row.provider,
    auth_kind: provider?.authKind ?? null,
    external_id: row.externalId,
    label: row.label,
    scopes: row.scopes ? row.scopes.split(/[ ,]+/).filter(Boolean) : [],
    expires_at: row.expiresAt?.toISOString() ?? null,
    refreshed_at: row.refreshedAt?.toISOString() ?? null,
    last_refresh_error: row.lastRefreshError,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

const summaryOf = (row: IntegrationRow): IntegrationSummary => ({
  id: row.id,
  workspaceId: row.workspaceId,
  provider: row.provider,
  externalId: row.externalId,
  label: row.label,
});

export class IntegrationsCore {
  readonly now: () => Date;

  constructor(readonly deps: IntegrationsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  provider(id: string) {
    return this.deps.providers().find((provider) => provider.id === id);
  }

  record(
    tx: Db,
    scope: { workspaceId: string; actorId: string | null },
    type: IntegrationEventType,
    entityId: string | null,
    data: Record<string, unknown>,
  ) {
    return this.deps.events.record(tx, {
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      type,
      entityType: 'integration',
      entityId,
      data,
    });
  }

  async list(db: Db, workspaceId: string, page: { limit: number; cursor?: string }) {
    const after = page.cursor ? decodeTimeIdCursor(page.cursor) : undefined;
    const rows = await db
      .select()
      .from(integrations)
      .where(
        and(
          eq(integrations.workspaceId, workspaceId),
          after
            ? or(
                lt(integrations.createdAt, after.at),
                and(eq(integrations.createdAt, after.at), lt(integrations.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(integrations.createdAt), desc(integrations.id))
      .limit(page.limit + 1);
    return toPage(
      rows,
      page.limit,
      (row) => integrationJson(row, this.provider(row.provider)),
      (row) => [row.createdAt.toISOString(), row.id],
    );
  }

  async get(db: Db, workspaceId: string, id: string) {
    const [row] = await db
      .select()
      .from(integrations)
      .where(and(eq(integrations.workspaceId, workspaceId), eq(integrations.id, id)));
    return row;
  }

  /**
   * Stores a connection (or replaces the tokens of the workspace's connection of the
   * same external id, keeping its row id and so its binding). Returns undefined when
   * another workspace already holds that external id: webhooks could not route.
   */
  async store(
    tx: Db,
    scope: { workspaceId: string; actorId: string },
    input: {
      provider: IntegrationProvider;
      grant: Pick<TokenGrant, 'accessToken' | 'refreshToken' | 'expiresIn' | 'scope'>;
      externalId?: string;
      label?: string;
    },
  ): Promise<IntegrationRow | undefined> {
    const externalId = input.externalId ?? null;
    const [existing] = externalId
      ? await tx
          .select()
          .from(integrations)
          .where(and(eq(integrations.provider, input.provider.id), eq(integrations.externalId, externalId)))
          .for('update')
      : [];
    if (existing && existing.workspaceId !== scope.workspaceId) return undefined;
    const id = existing?.id ?? randomUUID();
    const { wrappedKey, sealed } = seal(
      this.deps.secrets,
      { workspaceId: scope.workspaceId, rowId: id },
      { access_token: input.grant.accessToken, refresh_token: input.grant.refreshToken },
    );
    const expiresAt =
      input.grant.expiresIn === undefined
        ? null
        : new Date(this.now().getTime() + input.grant.expiresIn * 1000);
    const values = {
      wrappedKey,
      accessTokenCiphertext: sealed.access_token!,
      refreshTokenCiphertext: sealed.refresh_token ?? null,
      expiresAt,
      scopes: input.grant.scope ?? null,
      label: input.label ?? existing?.label ?? null,
      lastRefreshError: null,
      updatedAt: now,
    };
    const [row] = existing
      ? await tx.update(integrations).set(values).where(eq(integrations.id, id)).returning()
      : await tx
          .insert(integrations)
          .values({
            id,
            workspaceId: scope.workspaceId,
            provider: input.provider.id,
            externalId,
            ...values,
            createdBy: scope.actorId,
            createdAt: now,
          })
          .onConflictDoNothing()
          .returning();
    if (!row) return this.store(tx, scope, input); // a concurrent connect of the same id won
    await scheduleRefresh(this, tx, row);
    await this.record(tx, scope, 'integration.connected', row.id, {
      provider: row.provider,
      external_id: row.externalId,
      replaced: existing !== undefined,
      expires_at: row.expiresAt?.toISOString() ?? null,
    });
    return row;
  }

  freshAccessToken(workspaceId: string, integrationId: string) {
    return freshAccessToken(this, workspaceId, integrationId);
  }

  /** Revokes at the provider where it can (best effort, reported in the event), then deletes. */
  async disconnect(scope: { workspaceId: string; actorId: string }, id: string) {
    const row = await this.get(this.deps.db, scope.workspaceId, id);
    if (!row) return false;
    const provider = this.provider(row.provider);
    const tokens = openRow(this, row);
    let revoked: boolean | 'unsupported' = 'unsupported';
    const oauth = provider?.oauth?.();
    if (tokens?.access_token && (provider?.revoke || oauth?.revokeUrl)) {
      try {
        if (provider?.revoke) await provider.revoke(tokens.access_token);
        else await revokeAt(oauth!, tokens.access_token, this.deps.config.request_timeout_ms);
        revoked = true;
      } catch (error) {
        revoked = false;
        this.deps.logger.warn(
          { integrationId: id, reason: error instanceof Error ? error.message : 'unknown' },
          'integrations: revocation at the provider failed; credentials are deleted anyway',
        );
      }
    }
    return this.deps.db.transaction(async (tx) => {
      const [deleted] = await tx
        .delete(integrations)
        .where(and(eq(integrations.workspaceId, scope.workspaceId), eq(integrations.id, id)))
        .returning();
      if (!deleted) return false;
      await this.record(tx, scope, 'integration.disconnected', id, {
        provider: deleted.provider,
        external_id: deleted.externalId,
        revoked_at_provider: revoked,
      });
      return true;
    });
  }

  /**
   * Environment for an agent session: each connected provider that declares
   * `sessionEnv` and is enabled here contributes its variables with a fresh token.
   */
  async sessionEnv(workspaceId: string): Promise<Record<string, string>> {
    const rows = await this.deps.db
      .select({ id: integrations.id, provider: integrations.provider })
      .from(integrations)
      .where(eq(integrations.workspaceId, workspaceId))
      .orderBy(integrations.createdAt);
    const env: Record<string, string> = {};
    for (const row of rows) {
      const provider = this.provider(row.provider);
      if (!provider?.sessionEnv || !(await provider.enabledIn(workspaceId))) continue;
      const token = await freshAccessToken(this, workspaceId, row.id);
      if (token) Object.assign(env, provider.sessionEnv(token));
    }
    return env;
  }

  async findByExternalId(provider: string, externalId: string, db: Db = this.deps.db) {
    const [row] = await db
      .select()
      .from(integrations)
      .where(and(eq(integrations.provider, provider), eq(integrations.externalId, externalId)));
    return row ? summaryOf(row) : undefined;
  }

  async connectionOf(workspaceId: string, provider: string, db: Db = this.deps.db) {
    const [row] = await db
      .select()
      .from(integrations)
      .where(and(eq(integrations.workspaceId, workspaceId), eq(integrations.provider, provider)))
      .orderBy(desc(integrations.createdAt))
      .limit(1);
    return row ? summaryOf(row) : undefined;
  }
}
