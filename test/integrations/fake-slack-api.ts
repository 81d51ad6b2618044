/**
 * A fake Slack Web API on loopback: the two methods notification delivery calls,
 * spoken as Slack speaks them (HTTP 200 with `{ ok: true, ... }` or
 * `{ ok: false, error }`). It checks the Bearer token against the tokens the OAuth fake
 * issued, records every call, and can be told to refuse the next chat.postMessage
 * calls with a Slack error (to test retries without sleeping).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  authorization: string | undefined;
  /** The JSON body (chat.postMessage) or the query (users.lookupByEmail). */
  args: Record<string, unknown>;
}

export interface FakeSlackApi {
  url: string;
  calls: SlackCall[];
  /** email -> Slack user id, as users.lookupByEmail finds them. */
  users: Map<string, string>;
  /** Slack errors the next chat.postMessage calls answer with, in order. */
  postErrors: string[];
  posted(): SlackCall[];
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

export async function startFakeSlackApi(validTokens: { has(token: string): boolean }): Promise<FakeSlackApi> {
  const fake: FakeSlackApi = {
    url: '',
    calls: [],
    users: new Map(),
    postErrors: [],
    posted: () => fake.calls.filter((call) => call.method === 'chat.postMessage'),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const method = url.pathname.replace(/^\/api\//, '');
    const body = await readBody(request);
    const answer = (payload: Record<string, unknown>) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(payload));
    };
    const authorization = request.headers.authorization;
    const args =
      request.method === 'POST' && request.headers['content-type']?.startsWith('application/json')
        ? (JSON.parse(body) as Record<string, unknown>)
        : Object.fromEntries(url.searchParams);
    fake.calls.push({ method, authorization, args });
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    if (!authorization?.startsWith('Bearer ') || !validTokens.has(token))
      return answer({ ok: false, error: 'invalid_auth' });
    if (method === 'users.lookupByEmail') {
      const id = fake.users.get(String(args.email));
      return answer(
        id
          ? { ok: true, user: { id, profile: { email: args.email } } }
          : { ok: false, error: 'users_not_found' },
      );
    }
    if (method === 'chat.postMessage' && request.method === 'POST') {
      const error = fake.postErrors.shift();
      if (error) return answer({ ok: false, error });
      if (typeof args.channel !== 'string' || typeof args.text !== 'string')
        return answer({ ok: false, error: 'invalid_arguments' });
      return answer({
        ok: true,
        channel: `D${args.channel}`,
        ts: `1700000000.${String(fake.calls.length).padStart(6, '0')}`,
      });
    }
    answer({ ok: false, error: 'unknown_method' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  return fake;
}
