/**
 * `Idempotency-Key` for POST/PUT/PATCH/DELETE, stored in PostgreSQL so it holds
 * across instances. Scope: API key + method + path. The first request inserts a
 * `running` row (the primary key makes the claim atomic); a retry with the same key
 * and body replays the stored status and body, another body is 422, and a retry
 * while the first is still running is 409 with Retry-After. Server errors (5xx) are
 * not stored, so the client can retry them. Rows older than 24 h are ignored and
 * replaced (and deleted by idempotency-sweep.ts); a `running` row older than RUNNING_TIMEOUT is treated as abandoned (its
 * process died mid-request).
 *
 * Secrets are never stored. A response that carries one (the route declares
 * `policy.secretResponse`, or the body holds something shaped like an API key or a
 * stream ticket, as a safety net) is recorded as `secret_withheld` with its status
 * only. A replay then answers 409 CONFLICT saying the request already ran and its
 * secret is not kept: the caller lists the keys to find the one it made (and revokes it
 * if the secret was lost). Keeping the body encrypted instead would still hand the old
 * secret back after a revocation, and a database reader holding the installation key
 * could read it; nothing stored is the only answer that leaks nothing.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { KernelEnv } from '../contract/context.ts';
import { ApiError, validationError } from '../contract/errors.ts';
import type { Database } from '../db/database.ts';
import { actAsCredentialOf } from './act-as-credential.ts';
import { IDEMPOTENCY_RETENTION } from './idempotency-sweep.ts';

const GUARDED_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const RUNNING_TIMEOUT = '2 minutes';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** An API key (`ank_` + 38 base62) or a stream ticket (`stk_...`) anywhere in a response. */
const SECRET_SHAPE = /\bank_[0-9A-Za-z]{38}\b|\bstk_[A-Za-z0-9_-]{16,}/;

interface StoredRow {
  request_hash: string;
  state: 'running' | 'done';
  response_status: number | null;
  response_body: string | null;
  response_content_type: string | null;
  secret_withheld: boolean;
}

export function idempotency(
  database: Database,
  options: { secretResponse?: boolean } = {},
): MiddlewareHandler<KernelEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    const auth = c.get('auth');
    // An act-as call has no client to retry it and no API key to scope a record by.
    if (key === undefined || !auth || !GUARDED_METHODS.has(c.req.method) || actAsCredentialOf(c))
      return next();
    if (!KEY_PATTERN.test(key)) {
      throw validationError('Idempotency-Key must be 1-255 printable ASCII characters', [
        { path: 'Idempotency-Key', message: 'invalid' },
      ]);
    }
    const body = await c.req.text();
    // Path and query, not the full URL: a retry that reaches another instance through
    // another host name is the same request.
    const url = new URL(c.req.url);
    const requestHash = createHash('sha256')
      .update(`${c.req.header('x-workspace-id') ?? ''}\n${url.pathname}${url.search}\n${body}`)
      .digest('hex');
    const scope = [auth.apiKeyId, c.req.method, c.req.path, key];

    const claimed = await database.query(
      `insert into idempotency_keys (api_key_id, method, route, key, request_hash, state)
       values ($1, $2, $3, $4, $5, 'running')
       on conflict (api_key_id, method, route, key) do update
         set request_hash = excluded.request_hash, state = 'running', created_at = now(),
             response_status = null, response_body = null, response_content_type = null,
             secret_withheld = false
         where idempotency_keys.created_at < now() - interval '${IDEMPOTENCY_RETENTION}'
            or (idempotency_keys.state = 'running' and idempotency_keys.created_at < now() - interval '${RUNNING_TIMEOUT}')
       returning 1`,
      [...scope, requestHash],
    );
    if (claimed.length === 0) {
      const [stored] = await database.query<StoredRow>(
        `select request_hash, state, response_status, response_body, response_content_type, secret_withheld
           from idempotency_keys where api_key_id = $1 and method = $2 and route = $3 and key = $4`,
        scope,
      );
      if (!stored)
        throw new ApiError(409, 'CONFLICT', 'Idempotency key changed state; retry', undefined, {
          'Retry-After': '1',
        });
      if (stored.request_hash !== requestHash) {
        throw new ApiError(
          422,
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used with a different request body; use a new key for a new request',
        );
      }
      if (stored.state === 'running') {
        throw new ApiError(
          409,
          'CONFLICT',
          'A request with this Idempotency-Key is still in progress',
          undefined,
          {
            'Retry-After': '1',
          },
        );
      }
      const status = stored.response_status ?? 200;
      if (stored.secret_withheld) {
        throw new ApiError(
          409,
          'CONFLICT',
          `A request with this Idempotency-Key already succeeded (status ${status}), and its response carried a secret, which is shown only once and never stored. ` +
            'Do not repeat it: list what it created (e.g. GET /api/actors/me/api-keys) and, if the secret was lost, revoke that and make a new one.',
          undefined,
          { 'Idempotent-Replayed': 'true', 'Cache-Control': 'no-store' },
        );
      }
      const headers: Record<string, string> = { 'idempotent-replayed': 'true' };
      if (stored.response_content_type) headers['content-type'] = stored.response_content_type;
      // A null-body status (204, 304) must be rebuilt without a body: `new Response('', { status: 204 })` throws.
      const replayBody = status === 204 || status === 304 ? null : stored.response_body;
      return new Response(replayBody, { status, headers });
    }

    await next();

    const response = c.res;
    if (response.status >= 500) {
      await database.query(
        'delete from idempotency_keys where api_key_id = $1 and method = $2 and route = $3 and key = $4',
        scope,
      );
      return;
    }
    const responseBody = await response.clone().text();
    const withheld =
      response.status < 300 && (options.secretResponse === true || SECRET_SHAPE.test(responseBody));
    await database.query(
      `update idempotency_keys set state = 'done', response_status = $5, response_body = $6, response_content_type = $7,
              secret_withheld = $8
        where api_key_id = $1 and method = $2 and route = $3 and key = $4`,
      [
        ...scope,
        response.status,
        withheld ? null : responseBody,
        withheld ? null : response.headers.get('content-type'),
        withheld,
      ],
    );
  };
}
