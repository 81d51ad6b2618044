/**
 * The OAuth token endpoint, spoken as Claude Code speaks to Anthropic's console: a
 * JSON POST of `{ grant_type: "refresh_token", refresh_token, client_id }`, answered
 * with `{ access_token, refresh_token?, expires_in, ... }`. The endpoint is installation
 * config (MASKIN_EXT_CLAUDE_OAUTH_TOKEN_URL), so tests and self-hosted proxies point
 * it elsewhere.
 *
 * Errors never carry token values: a refused grant is reported by its OAuth `error`
 * code (`invalid_grant`), anything else by HTTP status or the kind of failure.
 */
import { z } from '@maskin/contract';

export interface RefreshedTokens {
  accessToken: string;
  /** Absent when the server keeps the old refresh token valid. */
  refreshToken?: string;
  expiresAt: Date;
}

export class TokenRefreshError extends Error {}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive(),
});

export async function refreshAtEndpoint(options: {
  tokenUrl: string;
  clientId: string;
  refreshToken: string;
  timeoutMs: number;
  now: () => Date;
}): Promise<RefreshedTokens> {
  let response: Response;
  try {
    response = await fetch(options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        grant_type: 'refresh_token',
        refresh_token: options.refreshToken,
        client_id: options.clientId,
      }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new TokenRefreshError(
      timedOut
        ? `token endpoint did not answer within ${options.timeoutMs} ms`
        : 'token endpoint unreachable',
    );
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const code = z.object({ error: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) }).safeParse(body);
    throw new TokenRefreshError(
      `token endpoint refused the refresh: HTTP ${response.status}${code.success ? ` ${code.data.error}` : ''}`,
    );
  }
  const parsed = tokenResponse.safeParse(body);
  if (!parsed.success)
    throw new TokenRefreshError('token endpoint answered without access_token and expires_in');
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    expiresAt: new Date(options.now().getTime() + parsed.data.expires_in * 1000),
  };
}
