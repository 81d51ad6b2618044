/**
 * A third-party extension that uses every part of the per-route HTTP policy through
 * the contract only: a streamed multipart upload and an octet-stream body (each with a
 * limit above the installation's), a signed webhook that needs its exact bytes, a JSON
 * route without idempotency, pages and assets, and a cookie session provider. It
 * records what its handlers saw in `HttpFixtureState`, so tests can check how many
 * bytes reached a handler and how often it ran.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  authOf,
  binaryBody,
  bodyStream,
  createRoute,
  defineExtension,
  defineRoute,
  type ExtensionDefinition,
  errorResponses,
  jsonBody,
  jsonResponse,
  multipartBody,
  rawBody,
  readMultipart,
  unauthorized,
  z,
} from '../../kernel/contract/index.ts';

export const FIXTURE_ID = 'http-fixture';
export const UPLOAD_LIMIT = 64 * 1024;
export const WEBHOOK_SECRET = 'fixture-webhook-secret';
export const SESSION_COOKIE = 'fixture_session';

export interface HttpFixtureState {
  /** Most bytes of one upload any handler has read. */
  maxBytesSeen: number;
  uploads: number;
  notes: number;
  /** Session token -> API key id. */
  sessions: Map<string, string>;
}

export function newFixtureState(): HttpFixtureState {
  return { maxBytesSeen: 0, uploads: 0, notes: 0, sessions: new Map() };
}

const fileResult = z.object({
  name: z.string(),
  filename: z.string(),
  bytes: z.number(),
  sha256: z.string(),
});

/** Hashes a stream while counting, so an aborted upload still reports what was read. */
function hashing(state: HttpFixtureState) {
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      state.maxBytesSeen = Math.max(state.maxBytesSeen, bytes);
      hash.update(chunk);
      done();
    },
  });
  return { sink, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

function cookieOf(request: Request, name: string): string | undefined {
  for (const pair of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export function httpFixture(state: HttpFixtureState, assetsDir?: string): ExtensionDefinition {
  return defineExtension({
    manifest: {
      id: FIXTURE_ID,
      version: '1.0.0',
      kernel: '^1.0.0',
      description: 'Exercises per-route HTTP policy, pages and auth providers',
      enablement: 'default-on',
    },
    setup: () => ({
      routes: [
        defineRoute({
          access: { auth: 'workspace', role: 'member' },
          policy: { bodyLimit: UPLOAD_LIMIT },
          route: createRoute({
            method: 'post',
            path: '/uploads',
            summary: 'Upload files (streamed)',
            request: {
              body: multipartBody({
                files: { file: { description: 'Any file', contentTypes: ['application/octet-stream'] } },
                fields: { note: { description: 'A note' } },
              }),
            },
            responses: {
              201: jsonResponse(
                z.object({ files: z.array(fileResult), fields: z.record(z.string(), z.string()) }),
                'What was received',
              ),
              ...errorResponses,
            },
          }),
          handler: async (c) => {
            state.uploads++;
            const files: z.infer<typeof fileResult>[] = [];
            const fields: Record<string, string> = {};
            for await (const part of readMultipart(c)) {
              if (part.kind === 'field') {
                fields[part.name] = part.value;
                continue;
              }
              const { sink, result } = hashing(state);
              await pipeline(part.stream, sink);
              files.push({ name: part.name, filename: part.filename, ...result() });
            }
            return c.json({ files, fields }, 201);
          },
        }),
        defineRoute({
          access: { auth: 'workspace', role: 'member' },
          policy: { bodyLimit: UPLOAD_LIMIT },
          route: createRoute({
            method: 'post',
            path: '/blobs',
            summary: 'Store a raw blob (streamed)',
            request: { body: binaryBody({ description: 'The bytes' }) },
            responses: {
              201: jsonResponse(z.object({ bytes: z.number(), sha256: z.string() }), 'Its hash'),
              ...errorResponses,
            },
          }),
          handler: async (c) => {
            const { sink, result } = hashing(state);
            await pipeline(bodyStream(c), sink);
            return c.json(result(), 201);
          },
        }),
        defineRoute({
          access: { auth: 'public' },
          policy: { rawBody: true },
          route: createRoute({
            method: 'post',
            path: '/webhook',
            summary: 'A signed webhook',
            request: { body: jsonBody(z.object({ event: z.string() })) },
            responses: { 200: jsonResponse(z.object({ event: z.string() }), 'Verified') },
          }),
          handler: async (c) => {
            const expected = createHmac('sha256', WEBHOOK_SECRET)
              .update(await rawBody(c))
              .digest();
            const given = Buffer.from((c.req.header('x-signature') ?? '').replace(/^sha256=/, ''), 'hex');
            if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
              throw unauthorized('Bad signature');
            }
            return c.json({ event: c.req.valid('json').event }, 200);
          },
        }),
        defineRoute({
          access: { auth: 'workspace', role: 'member' },
          policy: { idempotency: false },
          route: createRoute({
            method: 'post',
            path: '/notes',
            summary: 'Count a note (no idempotency)',
            request: { body: jsonBody(z.object({ text: z.string() })) },
            responses: { 201: jsonResponse(z.object({ count: z.number() }), 'Calls so far') },
          }),
          handler: async (c) => c.json({ count: ++state.notes }, 201),
        }),
        defineRoute({
          access: { auth: 'actor' },
          route: createRoute({
            method: 'post',
            path: '/sessions',
            summary: 'Start a browser session for the calling key',
            responses: { 201: jsonResponse(z.object({ token: z.string() }), 'The session') },
          }),
          handler: async (c) => {
            const token = randomBytes(24).toString('base64url');
            state.sessions.set(token, authOf(c).apiKeyId);
            c.header('set-cookie', `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
            return c.json({ token }, 201);
          },
        }),
      ],
      pages: {
        assetsDir,
        routes: [
          {
            path: '/me',
            access: { auth: 'actor' },
            handler: (c) => c.html(`<p>Signed in as ${authOf(c).actor.name}</p>`),
          },
        ],
      },
      authProviders: [
        {
          id: 'cookie',
          authenticate: (request) => {
            const token = cookieOf(request, SESSION_COOKIE);
            return token === undefined ? undefined : state.sessions.get(token);
          },
        },
      ],
    }),
  });
}
