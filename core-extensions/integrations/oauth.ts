/**
 * OAuth2 as RFC 6749 / 7636 / 7009 speak it: PKCE S256, the authorization-code and
 * refresh-token grants (form-encoded POST with client credentials in the body, JSON
 * answer), and token revocation. Errors never carry token values: a refused grant is
 * reported by its OAuth `error` code, anything else by HTTP status or kind of failure.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from '@maskin/contract';
import type { OAuthClientConfig, TokenGrant } from './api.ts';

export class TokenEndpointError extends Error {}

export const randomToken = () => randomBytes(32).toString('base64url');
export const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
export const codeChallengeOf = (verifier: string) => sha256(verifier);

export function authorizeUrl(
  oauth: OAuthClientConfig,
  input: { state: string; codeChallenge: string; redirectUri: string },
): string {
  const url = new URL(oauth.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', oauth.clientId ?? '');
  url.searchParams.set('redirect_uri', input.redirectUri);
  if (oauth.scopes.length > 0) url.searchParams.set('scope', oauth.scopes.join(oauth.scopeSeparator ?? ' '));
  url.searchParams.set('state', input.state);
  url.searchParams.set('code_challenge', input.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  for (const [name, value] of Object.entries(oauth.authorizeParams ?? {})) url.searchParams.set(name, value);
  return url.toString();
}

const grantSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
  scope: z.string().optional(),
});

async function postForm(url: string, form: Record<string, string>, timeoutMs: number) {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new TokenEndpointError(timedOut ? `no answer within ${timeoutMs} ms` : 'endpoint unreachable');
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { response, body };
}

/** The token endpoint's answer as a grant, or a TokenEndpointError naming the OAuth error code. */
async function grant(oauth: OAuthClientConfig, form: Record<string, string>, timeoutMs: number) {
  const { response, body } = await postForm(
    oauth.tokenUrl,
    {
      ...form,
      client_id: oauth.clientId ?? '',
      ...(oauth.clientSecret ? { client_secret: oauth.clientSecret } : {}),
    },
    timeoutMs,
  );
  // Some providers (GitHub, Slack) answer 200 with an `error` field.
  const code = z.object({ error: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) }).safeParse(body);
  if (!response.ok || code.success) {
    throw new TokenEndpointError(
      `token endpoint refused: HTTP ${response.status}${code.success ? ` ${code.data.error}` : ''}`,
    );
  }
  const parsed = grantSchema.safeParse(body);
  if (!parsed.success) throw new TokenEndpointError('token endpoint answered without access_token');
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    expiresIn: parsed.data.expires_in,
    scope: parsed.data.scope,
    raw: body as Record<string, unknown>,
  } satisfies TokenGrant;
}

export const exchangeCode = (
  oauth: OAuthClientConfig,
  input: { code: string; codeVerifier: string; redirectUri: string },
  timeoutMs: number,
) =>
  grant(
    oauth,
    {
      grant_type: 'authorization_code',
      code: input.code,
      redirect_uri: input.redirectUri,
      code_verifier: input.codeVerifier,
    },
    timeoutMs,
  );

export const refreshGrant = (oauth: OAuthClientConfig, refreshToken: string, timeoutMs: number) =>
  grant(oauth, { grant_type: 'refresh_token', refresh_token: refreshToken }, timeoutMs);

/** RFC 7009. Throws TokenEndpointError when the provider refuses. */
export async function revokeAt(oauth: OAuthClientConfig, token: string, timeoutMs: number) {
  if (!oauth.revokeUrl) return;
  const { response } = await postForm(
    oauth.revokeUrl,
    {
      token,
      token_type_hint: 'access_token',
      client_id: oauth.clientId ?? '',
      ...(oauth.clientSecret ? { client_secret: oauth.clientSecret } : {}),
    },
    timeoutMs,
  );
  if (!response.ok) throw new TokenEndpointError(`revocation refused: HTTP ${response.status}`);
}
