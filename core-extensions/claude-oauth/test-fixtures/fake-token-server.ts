/**
 * Test only: a local OAuth token endpoint on loopback speaking the refresh_token grant
 * as Anthropic's console endpoint does (JSON POST of grant_type, refresh_token,
 * client_id; JSON answer with access_token, refresh_token, expires_in). Each refresh
 * rotates both tokens. `hold()` keeps the next answers back until `release()`, so a
 * test can have callers pile up behind an in-flight refresh deterministically.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTokenServer {
  url: string;
  /** Every request body received, in order. */
  requests: Record<string, unknown>[];
  /** The refresh token the server currently accepts. */
  validRefreshToken: string;
  /** The access token it issued last. */
  lastAccessToken?: string;
  hold(): void;
  release(): void;
  /** Refuse every refresh from now on with this OAuth error (e.g. invalid_grant). */
  refuseWith(error: string | undefined): void;
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });

export async function startFakeTokenServer(options: {
  clientId: string;
  refreshToken: string;
  expiresIn?: number;
}): Promise<FakeTokenServer> {
  let held: Promise<void> | undefined;
  let releaseHeld: (() => void) | undefined;
  let refusal: string | undefined;
  let counter = 0;
  const state: FakeTokenServer = {
    url: '',
    requests: [],
    validRefreshToken: options.refreshToken,
    hold() {
      held = new Promise((resolve) => {
        releaseHeld = resolve;
      });
    },
    release() {
      releaseHeld?.();
      held = undefined;
    },
    refuseWith(error) {
      refusal = error;
    },
    close: async () => {
      state.release();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer(async (request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || request.url !== '/v1/oauth/token')
      return send(404, { error: 'not_found' });
    if (!request.headers['content-type']?.startsWith('application/json'))
      return send(415, { error: 'invalid_request' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(request));
    } catch {
      return send(400, { error: 'invalid_request' });
    }
    state.requests.push(body);
    if (held) await held;
    if (refusal) return send(400, { error: refusal, error_description: 'Refresh token refused' });
    if (body.grant_type !== 'refresh_token') return send(400, { error: 'unsupported_grant_type' });
    if (body.client_id !== options.clientId) return send(401, { error: 'invalid_client' });
    if (body.refresh_token !== state.validRefreshToken) return send(400, { error: 'invalid_grant' });
    counter += 1;
    state.validRefreshToken = `sk-ant-ort01-rotated-${counter}-${Math.random().toString(36).slice(2)}`;
    state.lastAccessToken = `sk-ant-oat01-fresh-${counter}-${Math.random().toString(36).slice(2)}`;
    send(200, {
      token_type: 'Bearer',
      access_token: state.lastAccessToken,
      refresh_token: state.validRefreshToken,
      expires_in: options.expiresIn ?? 28_800,
      scope: 'user:inference user:profile',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/oauth/token`;
  return state;
}
