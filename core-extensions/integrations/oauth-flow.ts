/**
 * Connecting: the OAuth2 authorization-code flow with PKCE (RFC 7636, S256) and
 * API-key connections.
 *
 * The `state` is 256 random bits, handed to the browser once and stored only as its
 * SHA-256, bound to the actor, the workspace and the provider, with the PKCE
 * verifier sealed to the state row. The callback consumes it in one statement
 * (`used_at is null` and not expired), so a state works once, within ten minutes,
 * for the provider it was issued for, and the connection always lands in the
 * workspace that started it: the callback carries no workspace of its own. Before
 * storing, the actor must still be an admin of that workspace.
 *
 * Every failure of the callback is an error code for the UI (`?error=<code>`), never
 * a token or a provider's message: state_missing, state_unknown, state_expired,
 * state_replayed, provider_denied (the provider's `error` parameter), code_missing,
 * token_exchange_failed, not_authorized, external_id_taken, provider_unavailable.
 */
import { type Db, type ExtensionMembers, extensionError, orm } from '@maskin/contract';
import type { IntegrationProvider } from './api.ts';
import { errors } from './errors.ts';
import {
  authorizeUrl,
  codeChallengeOf,
  exchangeCode,
  randomToken,
  sha256,
  TokenEndpointError,
} from './oauth.ts';
import { open, seal } from './sealed-credentials.ts';
import type { IntegrationsCore } from './service.ts';
import { oauthStates } from './tables.ts';

const { and, eq, isNull, lt, sql } = orm;

type StateRow = typeof oauthStates.$inferSelect;

export const STATE_TTL_MS = 10 * 60 * 1000;

export type CallbackOutcome = { integrationId: string } | { error: string };

const ADMIN_ROLES = new Set(['admin', 'owner']);

export class OAuthFlow {
  constructor(
    private readonly core: IntegrationsCore,
    private readonly members: ExtensionMembers,
  ) {}

  private oauthOf(provider: IntegrationProvider) {
    const oauth = provider.oauth?.();
    if (!oauth?.clientId) {
      throw extensionError(
        { errors },
        'INTEGRATION_PROVIDER_NOT_CONFIGURED',
        `Provider ${provider.id} has no OAuth client configured on this installation (set its client id and secret)`,
      );
    }
    return oauth;
  }

  /** Issues a one-time state and returns the provider's authorization URL. */
  async start(
    tx: Db,
    scope: { workspaceId: string; actorId: string },
    provider: IntegrationProvider,
    redirectUri: string,
  ) {
    const oauth = this.oauthOf(provider);
    const state = randomToken();
    const codeVerifier = randomToken();
    const stateHash = sha256(state);
    const { wrappedKey, sealed } = seal(
      this.core.deps.secrets,
      { workspaceId: scope.workspaceId, rowId: stateHash },
      { code_verifier: codeVerifier },
    );
    // Expired states are of no use to anyone: drop them as new ones are made.
    await tx
      .delete(oauthStates)
      .where(lt(oauthStates.expiresAt, new Date(this.core.now().getTime() - STATE_TTL_MS)));
    await tx.insert(oauthStates).values({
      stateHash,
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      provider: provider.id,
      codeVerifierCiphertext: `${wrappedKey}:${sealed.code_verifier}`,
      redirectUri,
      expiresAt: new Date(this.core.now().getTime() + STATE_TTL_MS),
      createdAt: sql`date_trunc('milliseconds', now())`,
    });
    await this.core.record(tx, scope, 'integration.connect_started', null, {
      provider: provider.id,
      auth_kind: 'oauth2',
    });
    return authorizeUrl(oauth, { state, codeChallenge: codeChallengeOf(codeVerifier), redirectUri });
  }

  /** The callback: verify the state once, exchange the code, store the tokens. */
  async complete(providerId: string, query: Record<string, string>): Promise<CallbackOutcome> {
    const { db } = this.core.deps;
    if (!query.state) return { error: 'state_missing' };
    const stateHash = sha256(query.state);
    const claimed = await db.transaction(async (tx): Promise<{ error: string } | { row: StateRow }> => {
      const [row] = await tx
        .select()
        .from(oauthStates)
        .where(eq(oauthStates.stateHash, stateHash))
        .for('update');
      if (!row || row.provider !== providerId) return { error: 'state_unknown' };
      if (row.usedAt) return { error: 'state_replayed' };
      if (row.expiresAt.getTime() <= this.core.now().getTime()) return { error: 'state_expired' };
      await tx
        .update(oauthStates)
        .set({ usedAt: sql`date_trunc('milliseconds', now())` })
        .where(and(eq(oauthStates.stateHash, stateHash), isNull(oauthStates.usedAt)));
      if (query.error) {
        await this.failed(tx, row, 'provider_denied');
        return { error: 'provider_denied' };
      }
      return { row };
    });
    if ('error' in claimed) return claimed;
    const { row } = claimed;
    const scope = { workspaceId: row.workspaceId, actorId: row.actorId };
    const fail = async (code: string) => {
      await db.transaction((tx) => this.failed(tx, row, code));
      return { error: code };
    };
    const provider = this.core.provider(providerId);
    const oauth = provider?.oauth?.();
    if (!provider || !oauth?.clientId) return fail('provider_unavailable');
    if (!query.code) return fail('code_missing');
    if (!ADMIN_ROLES.has((await this.members.roleOf(row.workspaceId, row.actorId)) ?? '')) {
      return fail('not_authorized');
    }
    // `<wrapped key>:<sealed verifier>`; neither part contains a colon (v1.<base64url>).
    const [wrappedKey, sealedVerifier] = row.codeVerifierCiphertext.split(':') as [string, string];
    let codeVerifier: string | undefined;
    try {
      codeVerifier = open(
        this.core.deps.secrets,
        { workspaceId: row.workspaceId, rowId: stateHash },
        wrappedKey,
        {
          code_verifier: sealedVerifier,
        },
      ).code_verifier;
    } catch {
      codeVerifier = undefined; // altered, or another installation key
    }
    if (!codeVerifier) return fail('state_unknown');
    let grant: Awaited<ReturnType<typeof exchangeCode>>;
    let identity: { externalId?: string; label?: string } = {};
    try {
      grant = await exchangeCode(
        oauth,
        { code: query.code, codeVerifier, redirectUri: row.redirectUri },
        this.core.deps.config.request_timeout_ms,
      );
      if (provider.identify) identity = await provider.identify({ grant, query });
    } catch (error) {
      this.core.deps.logger.warn(
        {
          provider: providerId,
          reason: error instanceof TokenEndpointError ? error.message : 'identify failed',
        },
        'integrations: OAuth callback failed',
      );
      return fail('token_exchange_failed');
    }
    const stored = await db.transaction((tx) => this.core.store(tx, scope, { provider, grant, ...identity }));
    if (!stored) return fail('external_id_taken');
    return { integrationId: stored.id };
  }

  private failed(tx: Db, row: { workspaceId: string; actorId: string; provider: string }, code: string) {
    return this.core.record(tx, row, 'integration.connect_failed', null, {
      provider: row.provider,
      error: code,
    });
  }
}
