/** The `claude_oauth_tokens` table (migrations/0001_claude_oauth.sql). */
import { pg } from '@maskin/contract';

export const claudeOAuthTokens = pg.pgTable('claude_oauth_tokens', {
  id: pg.uuid('id').primaryKey().defaultRandom(),
  workspaceId: pg.uuid('workspace_id').notNull(),
  wrappedKey: pg.text('wrapped_key').notNull(),
  accessTokenCiphertext: pg.text('access_token_ciphertext').notNull(),
  refreshTokenCiphertext: pg.text('refresh_token_ciphertext').notNull(),
  expiresAt: pg.timestamp('expires_at', { withTimezone: true }).notNull(),
  refreshedAt: pg.timestamp('refreshed_at', { withTimezone: true }),
  lastRefreshError: pg.text('last_refresh_error'),
  createdBy: pg.uuid('created_by'),
  createdAt: pg.timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: pg.timestamp('updated_at', { withTimezone: true }).notNull(),
});

export type ClaudeOAuthTokenRow = typeof claudeOAuthTokens.$inferSelect;
