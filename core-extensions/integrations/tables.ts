/** Tables of integrations (migrations/0001_integrations.sql). */
import { pg } from '@maskin/contract';

const time = (name: string) => pg.timestamp(name, { withTimezone: true });

export const integrations = pg.pgTable('integrations', {
  id: pg.uuid('id').primaryKey(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  provider: pg.text('provider').notNull(),
  externalId: pg.text('external_id'),
  label: pg.text('label'),
  scopes: pg.text('scopes'),
  wrappedKey: pg.text('wrapped_key').notNull(),
  accessTokenCiphertext: pg.text('access_token_ciphertext').notNull(),
  refreshTokenCiphertext: pg.text('refresh_token_ciphertext'),
  expiresAt: time('expires_at'),
  refreshedAt: time('refreshed_at'),
  lastRefreshError: pg.text('last_refresh_error'),
  createdBy: pg.uuid('created_by'),
  createdAt: time('created_at').notNull(),
  updatedAt: time('updated_at').notNull(),
});
export type IntegrationRow = typeof integrations.$inferSelect;

export const oauthStates = pg.pgTable('integrations_oauth_states', {
  stateHash: pg.text('state_hash').primaryKey(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  actorId: pg.uuid('actor_id').notNull(),
  provider: pg.text('provider').notNull(),
  codeVerifierCiphertext: pg.text('code_verifier_ciphertext').notNull(),
  redirectUri: pg.text('redirect_uri').notNull(),
  expiresAt: time('expires_at').notNull(),
  usedAt: time('used_at'),
  createdAt: time('created_at').notNull(),
});
