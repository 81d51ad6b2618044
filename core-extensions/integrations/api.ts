/**
 * What other extensions may import from integrations: the provider extension point
 * (GitHub, Slack and Linear contribute themselves through it; a third party adds a
 * provider the same way) and the integrations service (webhooks routes deliveries to
 * workspaces with it; provider MCP tools get fresh tokens from it).
 *
 * Why a provider records its own events (`record`): every event type has one
 * producer, declared in that producer's manifest. `github.pull_request.opened` is
 * GitHub's vocabulary, so the github extension declares it and binds `record` to its
 * own eventsRef in `register` (kernelService(eventsRef) is scoped to the registering
 * extension). webhooks only verifies, deduplicates and routes; it never declares or
 * records another extension's types, and a provider cannot record a type it did not
 * declare (the events service refuses it at runtime).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db, ExtensionEvents, z } from '@maskin/contract';
import { createExtensionPoint, createServiceRef } from '@maskin/contract';

export type IntegrationAuthKind = 'oauth2' | 'api_key';

/** OAuth2 endpoints and client credentials (from the provider's installation config). */
export interface OAuthClientConfig {
  authorizeUrl: string;
  tokenUrl: string;
  /** RFC 7009 revocation endpoint; absent when the provider has none (or `revoke` is custom). */
  revokeUrl?: string;
  /** Absent when the installation has not configured the OAuth app: connect is refused. */
  clientId?: string;
  clientSecret?: string;
  scopes: readonly string[];
  /** How `scope` joins scopes (default a space; Slack and Linear take commas). */
  scopeSeparator?: string;
  /** Extra query parameters of the authorization URL (`user_scope`, `prompt`). */
  authorizeParams?: Record<string, string>;
}

/** What a provider's token endpoint answered, parsed (RFC 6749 §5.1). */
export interface TokenGrant {
  accessToken: string;
  refreshToken?: string;
  /** Seconds; absent for tokens that do not expire. */
  expiresIn?: number;
  scope?: string;
  /** The whole JSON answer (Slack puts the team there): never logged or stored. */
  raw: Record<string, unknown>;
}

/** Who a connection is at the provider: routes webhooks (`external_id`) and labels the list. */
export interface ConnectionIdentity {
  externalId?: string;
  label?: string;
}

export interface WebhookRequest {
  headers: Headers;
  /** The exact bytes received: signatures are over these, never over re-serialised JSON. */
  body: Buffer;
  now: Date;
}

export type WebhookVerdict =
  | { ok: true }
  | { ok: false; reason: 'signature_invalid' | 'timestamp_stale' | 'not_configured' };

/** A normalised event, recorded in the workspace of the connection it belongs to. */
export interface ProviderEvent {
  /** A type the provider's manifest declares (`github.pull_request.opened`). */
  type: string;
  entityType: string;
  entityId?: string | null;
  data: Record<string, unknown>;
}

export interface ParsedWebhook {
  /** The provider's delivery id: a second delivery with it is a duplicate. */
  deliveryId?: string;
  /** The installation / team / organization the delivery is about. */
  externalId?: string;
  event?: ProviderEvent;
  /** Answer this at once and record nothing (Slack's url_verification challenge). */
  reply?: Record<string, unknown>;
}

export interface WebhookHandling {
  /** Signature over the raw bytes in constant time, and the timestamp window. */
  verify(request: WebhookRequest): WebhookVerdict;
  /** Only called on a verified request. Throws on a body that is not the provider's JSON. */
  parse(request: WebhookRequest): ParsedWebhook;
}

export interface IntegrationProvider {
  /** The URL segment and the `provider` of connections: `github`. */
  id: string;
  name: string;
  authKind: IntegrationAuthKind;
  /** Fields of `POST /{provider}/connect` beyond the defaults (API-key providers: `api_key`). */
  configSchema?: z.ZodObject;
  /** oauth2 providers: read when used (installation config may be incomplete). */
  oauth?(): OAuthClientConfig;
  /** Event types it records from webhooks (declared in its own manifest). */
  events: readonly string[];
  /**
   * api_key providers: check the key at the provider. undefined (or a throw, e.g. the
   * provider is unreachable) refuses it with 422 INTEGRATION_API_KEY_INVALID.
   */
  validateApiKey?(apiKey: string, config: Record<string, unknown>): Promise<ConnectionIdentity | undefined>;
  /** After the token exchange: who was connected (GitHub App: the installation_id query). */
  identify?(input: { grant: TokenGrant; query: Record<string, string> }): Promise<ConnectionIdentity>;
  /** Custom revocation (GitHub's DELETE /applications/{client_id}/token); else RFC 7009 at revokeUrl. */
  revoke?(accessToken: string): Promise<void>;
  /** Environment a session gets when this provider is connected (`GITHUB_TOKEN`). */
  sessionEnv?(accessToken: string): Record<string, string>;
  webhook?: WebhookHandling;
  /** Whether the provider's extension is enabled in a workspace (its register context's isEnabled). */
  enabledIn(workspaceId: string): Promise<boolean>;
  /** Records a normalised event through the provider's own events service, in `tx`. */
  record(tx: Db, workspaceId: string, event: ProviderEvent): Promise<void>;
}

export const integrationProvidersPoint = createExtensionPoint<IntegrationProvider>({
  id: 'integrations.providers',
  owner: 'integrations',
});

/** A connection as other extensions see it (never credentials). */
export interface IntegrationSummary {
  id: string;
  workspaceId: string;
  provider: string;
  externalId: string | null;
  label: string | null;
}

export interface IntegrationsService {
  /** A running provider by id (live: a provider whose extension failed is absent). */
  provider(id: string): IntegrationProvider | undefined;
  /** The connection of a provider's installation/team/organization, if any workspace has one. */
  findByExternalId(provider: string, externalId: string, tx?: Db): Promise<IntegrationSummary | undefined>;
  /** A valid access token, refreshed first (single-flight under a row lock) when near expiry. */
  freshAccessToken(workspaceId: string, integrationId: string): Promise<string | undefined>;
  /**
   * The workspace's connection of a provider (the newest), for provider tools; in `tx`
   * when given (a caller inside a transaction, such as a notification channel).
   */
  connectionOf(workspaceId: string, provider: string, tx?: Db): Promise<IntegrationSummary | undefined>;
}

export const integrationsServiceRef = createServiceRef<IntegrationsService>({
  id: 'integrations.service',
  owner: 'integrations',
});

/** Lowercase hex HMAC-SHA256 (GitHub, Slack and Linear all sign this way). */
export function hmacSha256Hex(secret: string, payload: string | Buffer): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Constant-time comparison of two strings (false on different lengths, without early exit on content). */
export function constantTimeEqual(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A provider's `record`, bound to its own events service (from
 * `kernelService(eventsRef)` in its register phase): the provider stays the one
 * producer of its types. Webhook events have no actor.
 */
export function providerRecorder(events: ExtensionEvents): IntegrationProvider['record'] {
  return async (tx, workspaceId, event) => {
    await events.record(tx, {
      workspaceId,
      actorId: null,
      type: event.type,
      entityType: event.entityType,
      entityId: event.entityId ?? null,
      data: event.data,
    });
  };
}
