/**
 * A fake GitHub on loopback speaking the OAuth web flow with PKCE (RFC 7636) and the
 * few API calls the extension makes. It checks what GitHub checks: the client, the
 * redirect_uri of the code, a code used once, and BASE64URL(SHA256(code_verifier))
 * against the code_challenge it was given at /authorize. Refresh tokens rotate; each
 * refresh is counted, and `holdRefreshes()` keeps refresh answers back until released
 * (to line concurrent callers up on one refresh, without sleeping).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGitHub {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Every token the fake issued (the leak check greps for them). */
  issued: Set<string>;
  refreshCount: number;
  /** Refresh requests received (counted before a hold). */
  refreshRequests: number;
  exchangeFailures: string[];
  revoked: string[];
  issuesCreated: { repository: string; title: string; token: string }[];
  /** expires_in of the next grants (seconds). */
  expiresIn: { code: number; refresh: number };
  /** Extra fields of the authorization-code answer (Slack's `team`). */
  grantExtras: Record<string, unknown>;
  /** The organization the GraphQL endpoint (Linear) reports. */
  organization: { id: string; name: string };
  /** installation_id added to the redirect after /authorize. */
  installationId: string | undefined;
  holdRefreshes(): () => void;
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
  });

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const codes = new Map<
    string,
    { challenge: string; method: string; redirectUri: string; clientId: string }
  >();
  const accessTokens = new Set<string>();
  let validRefresh = new Set<string>();
  let hold: Promise<void> | undefined;
  const token = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

  const fake: FakeGitHub = {
    url: '',
    clientId: 'Iv1.fakeclient',
    clientSecret: 'fake-client-secret-7f3a',
    issued: new Set(),
    refreshCount: 0,
    refreshRequests: 0,
    exchangeFailures: [],
    revoked: [],
    issuesCreated: [],
    expiresIn: { code: 28_800, refresh: 28_800 },
    installationId: '4242',
    grantExtras: {},
    organization: { id: 'org-1', name: 'Acme' },
    holdRefreshes() {
      let release!: () => void;
      hold = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        hold = undefined;
        release();
      };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const grant = () => {
    const access = token('ghu');
    const refresh = token('ghr');
    accessTokens.add(access);
    validRefresh.add(refresh);
    fake.issued.add(access);
    fake.issued.add(refresh);
    return { access, refresh };
  };

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', fake.url);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const code = token('code');
      codes.set(code, {
        challenge: url.searchParams.get('code_challenge') ?? '',
        method: url.searchParams.get('code_challenge_method') ?? '',
        redirectUri: url.searchParams.get('redirect_uri') ?? '',
        clientId: url.searchParams.get('client_id') ?? '',
      });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      if (fake.installationId) back.searchParams.set('installation_id', fake.installationId);
      response.writeHead(302, { location: back.toString() });
      response.end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = new URLSearchParams(await readBody(request));
      if (form.get('client_id') !== fake.clientId || form.get('client_secret') !== fake.clientSecret) {
        fake.exchangeFailures.push('client');
        return json(401, { error: 'invalid_client' });
      }
      if (form.get('grant_type') === 'authorization_code') {
        const issued = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        const problem = !issued
          ? 'bad_verification_code'
          : issued.redirectUri !== form.get('redirect_uri')
            ? 'redirect_uri_mismatch'
            : issued.method !== 'S256' || issued.challenge !== challenge
              ? 'invalid_code_verifier'
              : undefined;
        if (problem) {
          fake.exchangeFailures.push(problem);
          return json(200, { error: problem }); // GitHub answers 200 with an error field
        }
        const { access, refresh } = grant();
        return json(200, {
          access_token: access,
          refresh_token: refresh,
          expires_in: fake.expiresIn.code,
          scope: 'repo,read:org',
          token_type: 'bearer',
          ...fake.grantExtras,
        });
      }
      if (form.get('grant_type') === 'refresh_token') {
        fake.refreshRequests++;
        if (hold) await hold;
        const presented = form.get('refresh_token') ?? '';
        if (!validRefresh.has(presented)) return json(200, { error: 'bad_refresh_token' });
        fake.refreshCount++;
        validRefresh = new Set();
        const { access, refresh } = grant();
        return json(200, {
          access_token: access,
          refresh_token: refresh,
          expires_in: fake.expiresIn.refresh,
          scope: 'repo,read:org',
          token_type: 'bearer',
        });
      }
      return json(400, { error: 'unsupported_grant_type' });
    }
    const revoke = url.pathname.match(/^\/applications\/([^/]+)\/token$/);
    if (request.method === 'DELETE' && revoke) {
      const basic = Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64');
      if (request.headers.authorization !== `Basic ${basic}`)
        return json(401, { message: 'Bad credentials' });
      const { access_token } = JSON.parse(await readBody(request));
      accessTokens.delete(access_token);
      fake.revoked.push(access_token);
      response.writeHead(204);
      response.end();
      return;
    }
    const issues = url.pathname.match(/^\/repos\/([^/]+\/[^/]+)\/issues$/);
    if (request.method === 'POST' && issues) {
      const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!accessTokens.has(bearer)) return json(401, { message: 'Bad credentials' });
      const { title } = JSON.parse(await readBody(request));
      fake.issuesCreated.push({ repository: issues[1]!, title, token: bearer });
      const number = fake.issuesCreated.length;
      return json(201, { number, html_url: `https://github.com/${issues[1]}/issues/${number}` });
    }
    if (request.method === 'POST' && url.pathname === '/graphql') {
      const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!accessTokens.has(bearer)) return json(401, { errors: [{ message: 'authentication required' }] });
      await readBody(request);
      return json(200, { data: { organization: fake.organization } });
    }
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
